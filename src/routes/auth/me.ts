import { z } from '@hono/zod-openapi'
import { auditEvent } from '../../audit/events'
import { recordIfChanged } from '../../data/audit-events'
import { updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { logAuditEvents, originOf } from '../../http/audit'
import { conflictOrRethrow } from '../../http/conflicts'
import { ApiError } from '../../http/errors'
import { signedIn } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { normalizeIdentifier } from '../../lib/normalize'
import { emailSchema } from '../../users/new-user'
import { PUBLIC_USER_EXAMPLE, PublicUserSchema, toPublicUser } from '../../users/public-user'
import { createRouter } from '../create-router'

const me = apiRoute(signedIn, {
  method: 'get',
  path: '/me',
  operationId: 'getMe',
  tags: ['auth'],
  summary: 'The authenticated caller',
  responses: { 200: jsonResponse('The caller', PublicUserSchema, PUBLIC_USER_EXAMPLE) },
})

const UpdateMeSchema = z.strictObject({ email: emailSchema }).openapi('UpdateMe')

const updateMe = apiRoute(signedIn, {
  method: 'patch',
  path: '/me',
  operationId: 'updateMe',
  tags: ['auth'],
  summary: "Change the caller's email",
  request: { body: jsonBody(UpdateMeSchema, { email: 'alice@example.org' }) },
  responses: {
    200: jsonResponse('The caller, changed', PublicUserSchema, { ...PUBLIC_USER_EXAMPLE, email: 'alice@example.org' }),
  },
  errors: ['email_taken'],
})

export const meRouter = createRouter()
  // requireAuth has loaded the account: no second query.
  .openapi(me, (c) => c.json(toPublicUser(c.var.user), 200))
  .openapi(updateMe, async (c) => {
    const { user, db } = c.var
    const now = new Date()
    const event = auditEvent('user_updated', user.id, originOf(c, user.id), now)
    const email = normalizeIdentifier(c.req.valid('json').email)
    const [[updated]] = await db
      .batch([updateUser(db, user.id, { email, updatedAt: now }), recordIfChanged(db, event)])
      .catch(conflictOrRethrow)
    // An account deleted after the guard read it: its token no longer holds.
    if (!updated) throw new ApiError('invalid_token')
    logAuditEvents(c, [event])
    return c.json(toPublicUser(updated), 200)
  })
