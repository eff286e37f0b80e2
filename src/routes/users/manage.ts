import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { authEvent, logAuthEvents, originOf, recordIfChanged } from '../../audit/auth-event'
import { passwordSettings } from '../../auth/password'
import { requireAuth } from '../../auth/require-auth'
import { requireRole } from '../../auth/require-role'
import type { Database } from '../../db/client'
import { type AuthEventType, authEvents, roles, users } from '../../db/schema'
import { userErrors } from '../../http/api-error'
import { bearerAuth, errorResponses } from '../../http/openapi'
import { normalizeIdentifier } from '../../lib/normalize'
import { buildUser, NewUserSchema } from '../../users/new-user'
import { toManagedUser } from '../../users/public-user'
import { findUserById } from '../../users/user-queries'
import { conflictOrRethrow, guardedTarget } from '../../users/user-writes'
import { createRouter } from '../create-router'
import { UserIdParamsSchema, userResponse } from './read'

const adminOnly = [requireAuth, requireRole('admin')]

const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['users'],
  summary: 'Create a user (admin only)',
  security: bearerAuth,
  middleware: adminOnly,
  request: {
    body: { required: true, content: { 'application/json': { schema: NewUserSchema.openapi('NewUser') } } },
  },
  responses: { 201: userResponse('The new user'), ...errorResponses(400, 401, 403, 409, 413, 500, 503) },
})

const UpdateUserSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    role: z.enum(roles).optional(),
    disabled: z
      .boolean()
      .optional()
      .openapi({ description: 'A disabled user cannot log in; their tokens stop working' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one of email, role, disabled')
  .openapi('UpdateUser')

const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['users'],
  summary: "Change a user's email, role or disabled state (admin only)",
  security: bearerAuth,
  middleware: adminOnly,
  request: {
    params: UserIdParamsSchema,
    body: { required: true, content: { 'application/json': { schema: UpdateUserSchema } } },
  },
  responses: { 200: userResponse('The user, changed'), ...errorResponses(400, 401, 403, 404, 409, 413, 500, 503) },
})

const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['users'],
  summary: 'Delete a user (admin only); their tokens stop working',
  security: bearerAuth,
  middleware: adminOnly,
  request: { params: UserIdParamsSchema },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(400, 401, 403, 404, 409, 500, 503) },
})

/** Why a guarded write changed nothing: the user is gone, or it would have removed the last admin. */
async function refusal(db: Database, id: string) {
  return (await findUserById(db, id)) ? userErrors.lastAdmin() : userErrors.notFound()
}

export const manageUsersRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user: admin } = c.var
    const row = await buildUser(c.req.valid('json'), (await passwordSettings(c.env)).hashing)
    const event = authEvent('user_created', row.id, originOf(c, admin.id), row.createdAt)
    const [[created]] = await db
      .batch([db.insert(users).values(row).returning(), db.insert(authEvents).values(event)])
      .catch(conflictOrRethrow)
    logAuthEvents(c, [event])
    return c.json(toManagedUser(created), 201)
  })
  .openapi(update, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    const patch = c.req.valid('json')
    const current = await findUserById(db, id)
    if (!current) throw userErrors.notFound()

    const now = new Date()
    const types: AuthEventType[] = []
    if (patch.role !== undefined && patch.role !== current.role) types.push('role_changed')
    if (patch.disabled === true && current.disabledAt === null) types.push('user_disabled')
    if (patch.email !== undefined || (patch.disabled === false && current.disabledAt !== null))
      types.push('user_updated')
    const origin = originOf(c, admin.id)
    const events = types.map((type) => authEvent(type, id, origin, now))

    const [changed] = await db
      .batch([
        db
          .update(users)
          .set({
            updatedAt: now,
            ...(patch.email !== undefined && { email: normalizeIdentifier(patch.email) }),
            ...(patch.role !== undefined && { role: patch.role }),
            ...(patch.disabled !== undefined && { disabledAt: patch.disabled ? (current.disabledAt ?? now) : null }),
            // Re-enabling must not bring back the tokens held when the account was disabled.
            ...(types.includes('user_disabled') && { tokenVersion: sql`${users.tokenVersion} + 1` }),
          })
          .where(guardedTarget(id, patch.role === 'member' || patch.disabled === true))
          .returning(),
        ...events.map((event) => recordIfChanged(db, event)),
      ])
      .catch(conflictOrRethrow)
    if (changed.length === 0) throw await refusal(db, id)
    logAuthEvents(c, events)
    return c.json(toManagedUser(changed[0]), 200)
  })
  .openapi(remove, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    const event = authEvent('user_deleted', id, originOf(c, admin.id))
    const [deleted] = await db.batch([
      db.delete(users).where(guardedTarget(id, true)).returning({ id: users.id }),
      recordIfChanged(db, event),
    ])
    if (deleted.length === 0) throw await refusal(db, id)
    logAuthEvents(c, [event])
    return c.body(null, 204)
  })
