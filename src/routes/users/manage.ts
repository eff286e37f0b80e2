import { authEvent } from '../../audit/auth-event'
import { insertEvents, recordIfChanged } from '../../data/auth-events'
import type { Database } from '../../data/client'
import { bindInvitations } from '../../data/invitations'
import { organizationsOwnedAlone } from '../../data/memberships'
import { deleteUser, findUserById, insertUser, updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { logAuthEvents, originOf } from '../../http/audit'
import { conflictOrRethrow } from '../../http/conflicts'
import { ApiError } from '../../http/errors'
import { adminsOnly } from '../../http/guards'
import { jsonBody } from '../../http/openapi'
import { planAccountChange } from '../../users/account-changes'
import { buildUser, NewUserSchema } from '../../users/new-user'
import { MANAGED_USER_EXAMPLE, toManagedUser } from '../../users/public-user'
import { createRouter } from '../create-router'
import { UpdateUserSchema, UserIdParamsSchema, userResponse } from './schemas'

const create = apiRoute(adminsOnly, {
  method: 'post',
  path: '/',
  operationId: 'createUser',
  tags: ['users'],
  summary: 'Create a user (admin only)',
  request: {
    body: jsonBody(NewUserSchema.openapi('NewUser'), {
      username: 'alice',
      email: 'alice@example.com',
      password: 'lantern quartz meadow 42',
      role: 'member',
    }),
  },
  responses: { 201: userResponse('The new user') },
  errors: ['username_taken', 'email_taken'],
})

const update = apiRoute(adminsOnly, {
  method: 'patch',
  path: '/{id}',
  operationId: 'updateUser',
  tags: ['users'],
  summary: "Change a user's email, role or disabled state (admin only)",
  request: {
    params: UserIdParamsSchema,
    body: jsonBody(UpdateUserSchema, { role: 'admin' }),
  },
  responses: { 200: userResponse('The user, changed', { ...MANAGED_USER_EXAMPLE, role: 'admin' }) },
  errors: ['user_not_found', 'email_taken', 'last_admin'],
})

const remove = apiRoute(adminsOnly, {
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteUser',
  tags: ['users'],
  summary: 'Delete a user (admin only); their tokens stop working',
  request: { params: UserIdParamsSchema },
  responses: { 204: { description: 'Deleted' } },
  errors: ['user_not_found', 'last_admin', 'last_owner'],
})

/**
 * Why a guarded write changed nothing: the user is gone, is the only owner of an organisation
 * (deletion only), or the write would have removed the last admin.
 */
async function refusal(db: Database, id: string) {
  if (!(await findUserById(db, id))) return new ApiError('user_not_found')
  return new ApiError((await organizationsOwnedAlone(db, id)).length > 0 ? 'last_owner' : 'last_admin')
}

export const manageUsersRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user: admin } = c.var
    const row = await buildUser(c.req.valid('json'), c.var.settings.passwords.hashing)
    const event = authEvent('user_created', row.id, originOf(c, admin.id), row.createdAt)
    const [[created]] = await db
      .batch([insertUser(db, row), insertEvents(db, [event]), bindInvitations(db, row)])
      .catch(conflictOrRethrow)
    logAuthEvents(c, [event])
    return c.json(toManagedUser(created), 201)
  })
  .openapi(update, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    const current = await findUserById(db, id)
    if (!current) throw new ApiError('user_not_found')
    const now = new Date()
    const { set, removesAdmin, events: types } = planAccountChange(current, c.req.valid('json'), now)
    const origin = originOf(c, admin.id)
    const events = types.map((type) => authEvent(type, id, origin, now))
    const [changed] = await db
      .batch([updateUser(db, id, set, { removesAdmin }), ...events.map((event) => recordIfChanged(db, event))])
      .catch(conflictOrRethrow)
    if (changed.length === 0) throw await refusal(db, id)
    logAuthEvents(c, events)
    return c.json(toManagedUser(changed[0]), 200)
  })
  .openapi(remove, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    const event = authEvent('user_deleted', id, originOf(c, admin.id))
    const [deleted] = await db.batch([deleteUser(db, id), recordIfChanged(db, event)])
    if (deleted.length === 0) throw await refusal(db, id)
    logAuthEvents(c, [event])
    return c.body(null, 204)
  })
