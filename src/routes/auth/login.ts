import { createRoute, z } from '@hono/zod-openapi'
import { authEvent, originOf, recordInBackground } from '../../audit/auth-event'
import { LoginResponseSchema, loginResponse, tokenSettings } from '../../auth/login-response'
import {
  blockedFor,
  clearAccountThrottles,
  readThrottles,
  recordFailedLogin,
  throttleKeys,
} from '../../auth/login-throttle'
import { dummyPasswordHash, verifyPassword } from '../../auth/password'
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy'
import { loginThrottleSettings, pbkdf2Iterations } from '../../config'
import { readWithRetry } from '../../db/d1-faults'
import { authErrors } from '../../http/api-error'
import { errorResponses } from '../../http/openapi'
import { userByLogin } from '../../users/user-queries'
import { createRouter } from '../create-router'

/** A password as typed at login: bounded, but not held to the policy. */
export const enteredPasswordSchema = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 2)
  .openapi({ format: 'password', example: 'correct horse battery staple' })

const LoginRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(320).openapi({ description: 'Username or email address', example: 'admin' }),
    password: enteredPasswordSchema,
  })
  .openapi('LoginRequest')

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Log in with a username or email and a password',
  request: { body: { required: true, content: { 'application/json': { schema: LoginRequestSchema } } } },
  responses: {
    200: { description: 'A token', content: { 'application/json': { schema: LoginResponseSchema } } },
    ...errorResponses(400, 401, 413, 429, 500, 503),
  },
})

/** The client's address as Cloudflare saw it; never a header the client controls further up. */
export const clientIp = (c: { req: { header(name: string): string | undefined } }) =>
  c.req.header('CF-Connecting-IP') ?? 'unknown'

export const loginRouter = createRouter().openapi(login, async (c) => {
  const { username, password } = c.req.valid('json')
  const db = c.var.db
  // Settings first, so a misconfigured Worker fails alike for known and unknown users.
  const [settings, iterations, throttle] = [
    await tokenSettings(c.env),
    pbkdf2Iterations(c.env),
    loginThrottleSettings(c.env),
  ]
  const keys = throttleKeys(username, clientIp(c), throttle)
  const now = Math.floor(Date.now() / 1000)
  const [[user], throttles] = await readWithRetry(() => db.batch([userByLogin(db, username), readThrottles(db, keys)]))
  // Blocked means blocked: no hashing, and the same answer whether the password is right.
  const wait = blockedFor(throttles, now)
  if (wait > 0) throw authErrors.tooManyAttempts(wait)

  // An unknown user costs one PBKDF2 run too, and a disabled one is told nothing more.
  const valid = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash(iterations))
  const ok = user !== undefined && valid && user.disabledAt === null
  const subject = user?.id ?? null
  if (!ok) {
    await recordFailedLogin(c, { keys, settings: throttle, now, subject })
    throw authErrors.invalidCredentials()
  }
  // Nothing changes on success but the audit trail (and counters, if any): both after the answer.
  recordInBackground(
    c,
    authEvent('login_succeeded', subject, originOf(c, subject)),
    clearAccountThrottles(db, throttles),
  )
  return c.json(await loginResponse(user, settings), 200)
})
