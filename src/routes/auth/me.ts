import { z } from '@hono/zod-openapi'
import { auditEvent } from '../../audit/events'
import { updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { signedIn } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { normalizeIdentifier } from '../../lib/normalize'
import { createRouter } from '../create-router'
import { emailSchema, PUBLIC_USER_EXAMPLE, PublicUserSchema, toPublicUser } from '../users/schemas'

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
    const email = normalizeIdentifier(c.req.valid('json').email)
    const { changed: updated } = await writeChange(c, {
      change: updateUser(db, user.id, { email, updatedAt: now }),
      events: [auditEvent('user_updated', user.id, originOf(c, user.id), now)],
      // An account deleted after the guard read it: its token no longer holds.
      unchanged: () => new ApiError('invalid_token'),
    })
    return c.json(toPublicUser(updated), 200)
  })
