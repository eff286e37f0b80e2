import { z } from '@hono/zod-openapi'
import { auditEvent } from '../../audit/events'
import { startDevice } from '../../auth/device-tokens'
import { hashPassword } from '../../auth/passwords'
import { startFamily } from '../../auth/refresh-tokens'
import { issueToken } from '../../auth/tokens'
import { nextTokenVersion, updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { signedIn } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { createRouter } from '../create-router'
import { requirePassword } from './require-password'
import {
  enteredPasswordSchema,
  LOGIN_RESPONSE_EXAMPLE,
  LoginResponseSchema,
  newPasswordSchema,
  toLoginResponse,
} from './schemas'

const ChangePasswordSchema = z
  .strictObject({ currentPassword: enteredPasswordSchema, newPassword: newPasswordSchema })
  .openapi('ChangePassword')

const changePassword = apiRoute(signedIn, {
  method: 'post',
  path: '/password',
  operationId: 'changePassword',
  tags: ['auth'],
  summary: "Change the caller's password; every token issued before stops working",
  request: {
    body: jsonBody(ChangePasswordSchema, {
      currentPassword: 'correct horse battery staple',
      newPassword: 'lantern quartz meadow 42',
    }),
  },
  responses: {
    200: jsonResponse(
      'A fresh token, refresh token and device token; all earlier ones are refused from now on',
      LoginResponseSchema,
      LOGIN_RESPONSE_EXAMPLE,
    ),
  },
  errors: ['current_password_incorrect', 'too_many_attempts'],
})

export const passwordRouter = createRouter().openapi(changePassword, async (c) => {
  const { currentPassword, newPassword } = c.req.valid('json')
  const { db } = c.var
  const { tokens, refresh: refreshing, devices } = c.var.settings
  // A wrong current password is a failed login: the same counters, reserved the same way.
  const signedIn = c.var.user
  // The account as D1 has it now, hash included: its token version is the one the new login follows.
  const { user, release, hashing } = await requirePassword(
    c,
    { user: signedIn, password: currentPassword },
    signedIn.id,
  )
  const now = new Date()
  const set = { passwordHash: await hashPassword(newPassword, hashing), tokenVersion: nextTokenVersion, updatedAt: now }
  // The new login's family and device, written only once `updateUser` has moved `token_version`
  // on, to the version they name: every other device and family of the account is revoked.
  const changedUser = { id: user.id, tokenVersion: user.tokenVersion + 1 }
  const family = await startFamily(db, changedUser, refreshing, now)
  const device = await startDevice(db, changedUser, devices.ttlMs, now)
  const { changed } = await writeChange(c, {
    change: updateUser(db, user.id, set),
    events: [auditEvent('password_changed', user.id, originOf(c, user.id), now)],
    after: { release, ...family.statements, ...device.statements },
    // An account deleted after the guard read it: nothing is written, and its token no longer holds.
    unchanged: () => new ApiError('invalid_token'),
  })
  const issued = await issueToken(changed, tokens, family.familyId)
  return c.json(toLoginResponse(issued, family, device), 200)
})
