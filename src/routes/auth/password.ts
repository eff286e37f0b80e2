import { createRoute, z } from '@hono/zod-openapi'
import { eq, sql } from 'drizzle-orm'
import { authEvent, logAuthEvents, originOf, recordInBackground } from '../../audit/auth-event'
import { LoginResponseSchema, loginResponse, tokenSettings } from '../../auth/login-response'
import {
  failedCheckEvents,
  releaseAttempt,
  reservationOutcome,
  reserveAttempt,
  throttleKeys,
} from '../../auth/login-throttle'
import { hashPassword, passwordSettings, verifyPassword } from '../../auth/password'
import { newPasswordSchema } from '../../auth/password-policy'
import { requireAuth } from '../../auth/require-auth'
import { loginThrottleSettings } from '../../config'
import { authEvents, users } from '../../db/schema'
import { authErrors } from '../../http/api-error'
import { bearerAuth, errorResponses } from '../../http/openapi'
import { clientAddress } from '../../lib/client-address'
import { createRouter } from '../create-router'
import { enteredPasswordSchema } from './login'

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
  const [settings, { hashing, peppers }, throttle] = [
    await tokenSettings(c.env),
    await passwordSettings(c.env),
    loginThrottleSettings(c.env),
  ]
  // A wrong current password is a failed login: the same counters, reserved the same way.
  const keys = await throttleKeys(
    hashing.pepper,
    user.username,
    clientAddress(c.req.header('CF-Connecting-IP')).network,
  )
  const nowSeconds = Math.floor(Date.now() / 1000)
  const outcome = reservationOutcome(await db.batch(reserveAttempt(db, keys, throttle, nowSeconds)), nowSeconds)
  if (!outcome.admitted) throw authErrors.tooManyAttempts(outcome.retryAfter)
  const origin = originOf(c, user.id)
  if (!(await verifyPassword(currentPassword, user.passwordHash, peppers))) {
    recordInBackground(c, failedCheckEvents(outcome, user.id, origin))
    throw authErrors.invalidCredentials()
  }
  const now = new Date()
  const event = authEvent('password_changed', user.id, origin, now)
  const [, , [changed]] = await db.batch([
    ...releaseAttempt(db, keys, throttle),
    db
      .update(users)
      .set({
        passwordHash: await hashPassword(newPassword, hashing),
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
