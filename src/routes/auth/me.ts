import { createRoute, z } from '@hono/zod-openapi'
import { authEvent } from '../../audit/auth-event'
import { insertEvents } from '../../data/auth-events'
import { updateUser } from '../../data/users'
import { logAuthEvents, originOf } from '../../http/audit'
import { conflictOrRethrow } from '../../http/conflicts'
import { signedIn } from '../../http/guards'
import { errorResponses, jsonBody, jsonResponse } from '../../http/openapi'
import { normalizeIdentifier } from '../../lib/normalize'
import { emailSchema } from '../../users/new-user'
import { PublicUserSchema, toPublicUser } from '../../users/public-user'
import { createRouter } from '../create-router'

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The authenticated caller',
  ...signedIn,
  responses: { 200: jsonResponse('The caller', PublicUserSchema), ...errorResponses(401, 500, 503) },
})

const UpdateMeSchema = z.strictObject({ email: emailSchema }).openapi('UpdateMe')

const updateMe = createRoute({
  method: 'patch',
  path: '/me',
  tags: ['auth'],
  summary: "Change the caller's email",
  ...signedIn,
  request: { body: jsonBody(UpdateMeSchema) },
  responses: {
    200: jsonResponse('The caller, changed', PublicUserSchema),
    ...errorResponses(400, 401, 409, 413, 500, 503),
  },
})

export const meRouter = createRouter()
  // requireAuth has loaded the account: no second query.
  .openapi(me, (c) => c.json(toPublicUser(c.var.user), 200))
  .openapi(updateMe, async (c) => {
    const { user, db } = c.var
    const now = new Date()
    const event = authEvent('user_updated', user.id, originOf(c, user.id), now)
    const email = normalizeIdentifier(c.req.valid('json').email)
    const [[updated]] = await db
      .batch([updateUser(db, user.id, { email, updatedAt: now }), insertEvents(db, [event])])
      .catch(conflictOrRethrow)
    logAuthEvents(c, [event])
    return c.json(toPublicUser(updated), 200)
  })
