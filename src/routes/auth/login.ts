import { createRoute, z } from '@hono/zod-openapi'
import { authEvent, originOf, recordInBackground } from '../../audit/auth-event'
import { LoginResponseSchema, loginResponse, tokenSettings } from '../../auth/login-response'
import {
  failedCheckEvents,
  loginSeed,
  releaseAttempt,
  reservationOutcome,
  reserveAttempt,
  throttleKeys,
} from '../../auth/login-throttle'
import {
  dummyPasswordHash,
  hashParams,
  hashPassword,
  needsRehash,
  paramsOf,
  passwordSettings,
  verifyPassword,
} from '../../auth/password'
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy'
import { loginThrottleSettings } from '../../config'
import { authErrors } from '../../http/api-error'
import { errorResponses } from '../../http/openapi'
import { clientAddress } from '../../lib/client-address'
import { normalizeIdentifier } from '../../lib/normalize'
import { passwordHashBySeed, rehashPassword, userByLogin } from '../../users/user-queries'
import { createRouter } from '../create-router'

/** A password as typed at login: bounded, but not held to the policy. */
export const enteredPasswordSchema = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 2)
  .openapi({ format: 'password', example: 'correct horse battery staple' })

/** No account's username or email is longer than this once normalised (emails are at most 254 characters). */
const MAX_NORMALIZED_LOGIN = 254

const LoginRequestSchema = z
  .strictObject({
    username: z
      .string()
      .min(1)
      .max(320)
      // NFKC can make a string many times longer: bound what is compared, not only what was sent.
      .refine((login) => normalizeIdentifier(login).length <= MAX_NORMALIZED_LOGIN, 'Username or email is too long')
      .openapi({
        description: 'Username or email address; at most 254 characters once NFKC-normalised',
        example: 'admin',
      }),
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

export const loginRouter = createRouter().openapi(login, async (c) => {
  const { username, password } = c.req.valid('json')
  const db = c.var.db
  // Settings first, so a misconfigured Worker fails alike for known and unknown users.
  const [settings, { hashing, peppers }, throttle] = [
    await tokenSettings(c.env),
    await passwordSettings(c.env),
    loginThrottleSettings(c.env),
  ]
  const keys = await throttleKeys(hashing.pepper, username, clientAddress(c.req.header('CF-Connecting-IP')).network)
  const now = Math.floor(Date.now() / 1000)
  // One round trip: the check is reserved in the same transaction that reads the user.
  const [create, reserved, state, [user], [sample]] = await db.batch([
    ...reserveAttempt(db, keys, throttle, now),
    userByLogin(db, username),
    passwordHashBySeed(db, loginSeed(keys)),
  ])
  const outcome = reservationOutcome([create, reserved, state], now)
  // Refused means refused: no hashing, and the same answer whether the password is right.
  if (!outcome.admitted) throw authErrors.tooManyAttempts(outcome.retryAfter)

  // An unknown user costs one PBKDF2 run too, with a real account's parameters, and a disabled one is told nothing more.
  const stored = user?.passwordHash ?? dummyPasswordHash(hashParams(sample?.passwordHash) ?? paramsOf(hashing))
  const valid = await verifyPassword(password, stored, peppers)
  if (user === undefined || !valid || user.disabledAt !== null) {
    // Nobody is authenticated: no actor.
    recordInBackground(c, failedCheckEvents(outcome, user?.id ?? null, originOf(c, null)))
    throw authErrors.invalidCredentials()
  }
  // Nothing the answer depends on changes on success: the audit event, the reservation given
  // back and, if the hash's parameters are not the current ones, the upgraded hash go after it.
  recordInBackground(c, [authEvent('login_succeeded', user.id, originOf(c, user.id))], async () => [
    ...releaseAttempt(db, keys, throttle),
    ...(needsRehash(user.passwordHash, hashing)
      ? [rehashPassword(db, user, await hashPassword(password, hashing))]
      : []),
  ])
  return c.json(await loginResponse(user, settings), 200)
})
