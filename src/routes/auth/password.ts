import { createRoute, z } from '@hono/zod-openapi'
import { authEvent } from '../../audit/auth-event'
import { hashPassword, newPasswordSchema } from '../../auth/passwords'
import { issueToken, tokenSettings } from '../../auth/tokens'
import { insertEvents } from '../../data/auth-events'
import { nextTokenVersion, updateUser } from '../../data/users'
import { logAuthEvents, originOf } from '../../http/audit'
import { signedIn } from '../../http/guards'
import { errorResponses, jsonBody, jsonResponse } from '../../http/openapi'
import { createRouter } from '../create-router'
import { checkedPassword } from './checked-password'
import { enteredPasswordSchema, LoginResponseSchema } from './schemas'

const ChangePasswordSchema = z
  .strictObject({ currentPassword: enteredPasswordSchema, newPassword: newPasswordSchema })
  .openapi('ChangePassword')

const changePassword = createRoute({
  method: 'post',
  path: '/password',
  tags: ['auth'],
  summary: "Change the caller's password; every token issued before stops working",
  ...signedIn,
  request: { body: jsonBody(ChangePasswordSchema) },
  responses: {
    200: jsonResponse('A fresh token; all earlier ones are refused from now on', LoginResponseSchema),
    ...errorResponses(400, 401, 413, 422, 429, 500, 503),
  },
})

export const passwordRouter = createRouter().openapi(changePassword, async (c) => {
  const { currentPassword, newPassword } = c.req.valid('json')
  const { user, db } = c.var
  const tokens = await tokenSettings(c.env)
  // A wrong current password is a failed login: the same counters, reserved the same way.
  const { release, hashing } = await checkedPassword(c, { user, password: currentPassword }, user.id)
  const now = new Date()
  const event = authEvent('password_changed', user.id, originOf(c, user.id), now)
  const set = { passwordHash: await hashPassword(newPassword, hashing), tokenVersion: nextTokenVersion, updatedAt: now }
  const [, , [changed]] = await db.batch([...release, updateUser(db, user.id, set), insertEvents(db, [event])])
  logAuthEvents(c, [event])
  return c.json(await issueToken(changed, tokens), 200)
})
