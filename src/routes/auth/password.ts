import { createRoute, z } from '@hono/zod-openapi'
import { eq, sql } from 'drizzle-orm'
import { authEvent, logAuthEvents, originOf } from '../../audit/auth-event'
import { LoginResponseSchema, loginResponse, tokenSettings } from '../../auth/login-response'
import { blockedFor, readThrottles, recordFailedLogin, throttleKeys } from '../../auth/login-throttle'
import { hashPassword, verifyPassword } from '../../auth/password'
import { newPasswordSchema } from '../../auth/password-policy'
import { requireAuth } from '../../auth/require-auth'
import { loginThrottleSettings, pbkdf2Iterations } from '../../config'
import { readWithRetry } from '../../db/d1-faults'
import { authEvents, users } from '../../db/schema'
import { authErrors } from '../../http/api-error'
import { bearerAuth, errorResponses } from '../../http/openapi'
import { createRouter } from '../create-router'
import { clientIp, enteredPasswordSchema } from './login'

const ChangePasswordSchema = z
  .strictObject({ currentPassword: enteredPasswordSchema, newPassword: newPasswordSchema })
  .openapi('ChangePassword')

const changePassword = createRoute({
  method: 'post',
  path: '/password',
  tags: ['auth'],
  summary: "Change the caller's password; every token issued before stops working",
  security: bearerAuth,
  middleware: [requireAuth] as const,
  request: { body: { required: true, content: { 'application/json': { schema: ChangePasswordSchema } } } },
  responses: {
    200: {
      description: 'A fresh token; all earlier ones are refused from now on',
      content: { 'application/json': { schema: LoginResponseSchema } },
    },
    ...errorResponses(400, 401, 413, 429, 500, 503),
  },
})

export const passwordRouter = createRouter().openapi(changePassword, async (c) => {
  const { currentPassword, newPassword } = c.req.valid('json')
  const { user, db } = c.var
  const [settings, iterations, throttle] = [
    await tokenSettings(c.env),
    pbkdf2Iterations(c.env),
    loginThrottleSettings(c.env),
  ]
  // A wrong current password is a failed login: the same counters, the same blocks.
  const keys = throttleKeys(user.username, clientIp(c), throttle)
  const nowSeconds = Math.floor(Date.now() / 1000)
  const wait = blockedFor(await readWithRetry(() => readThrottles(db, keys).all()), nowSeconds)
  if (wait > 0) throw authErrors.tooManyAttempts(wait)
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    await recordFailedLogin(c, { keys, settings: throttle, now: nowSeconds, subject: user.id })
    throw authErrors.invalidCredentials()
  }
  const now = new Date()
  const event = authEvent('password_changed', user.id, originOf(c, user.id), now)
  const [[changed]] = await db.batch([
    db
      .update(users)
      .set({
        passwordHash: await hashPassword(newPassword, iterations),
        tokenVersion: sql`${users.tokenVersion} + 1`,
        updatedAt: now,
      })
      .where(eq(users.id, user.id))
      .returning(),
    db.insert(authEvents).values(event),
  ])
  logAuthEvents(c, [event])
  return c.json(await loginResponse(changed, settings), 200)
})
