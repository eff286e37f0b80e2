import { createRoute, z } from '@hono/zod-openapi'
import { eq, sql } from 'drizzle-orm'
import { authEvent, originOf, recordInBackground } from '../../audit/auth-event'
import { LoginResponseSchema, loginResponse, tokenSettings } from '../../auth/login-response'
import { hashPassword, verifyPassword } from '../../auth/password'
import { newPasswordSchema } from '../../auth/password-policy'
import { requireAuth } from '../../auth/require-auth'
import { pbkdf2Iterations } from '../../config'
import { authEvents, users } from '../../db/schema'
import { authErrors } from '../../http/api-error'
import { bearerAuth, errorResponses } from '../../http/openapi'
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
    ...errorResponses(400, 401, 500),
  },
})

export const passwordRouter = createRouter().openapi(changePassword, async (c) => {
  const { currentPassword, newPassword } = c.req.valid('json')
  const { user, db } = c.var
  const [settings, iterations] = [await tokenSettings(c.env), pbkdf2Iterations(c.env)]
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    recordInBackground(c, authEvent('login_failed', user.id, originOf(c, user.id)))
    throw authErrors.invalidCredentials()
  }
  const now = new Date()
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
    db.insert(authEvents).values(authEvent('password_changed', user.id, originOf(c, user.id), now)),
  ])
  return c.json(await loginResponse(changed, settings), 200)
})
