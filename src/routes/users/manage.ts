import { auditEvent } from '../../audit/events'
import type { Database } from '../../data/client'
import { bindInvitations } from '../../data/invitations'
import { findOrganizationsOwnedAlone } from '../../data/memberships'
import { deleteUser, findUserById, insertUser, updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { adminsOnly } from '../../http/guards'
import { jsonBody } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { planAccountChange } from '../../users/account-changes'
import { buildUser } from '../../users/new-user'
import { createRouter } from '../create-router'
import {
  MANAGED_USER_EXAMPLE,
  NewUserSchema,
  toManagedUser,
  UpdateUserSchema,
  UserIdParamsSchema,
  userResponse,
} from './schemas'

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

/** Why a guarded write changed nothing: user gone, sole owner of an organization (deletion), or last admin. */
async function whyUnchanged(db: Database, id: string) {
  if (!(await findUserById(db, id))) return new ApiError('user_not_found')
  return new ApiError((await findOrganizationsOwnedAlone(db, id)).length > 0 ? 'last_owner' : 'last_admin')
}

export const manageUsersRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user: admin } = c.var
    const row = await buildUser(c.req.valid('json'), c.var.settings.passwords.hashing)
    const { user } = await writeChange(c, {
      statements: { user: insertUser(db, row), invitations: bindInvitations(db, row) },
      events: [auditEvent('user_created', row.id, originOf(c, admin.id), row.createdAt)],
    })
    return c.json(toManagedUser(user[0]), 201)
  })
  .openapi(update, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    const current = await findUserById(db, id)
    if (!current) throw new ApiError('user_not_found')
    const now = new Date()
    const { set, removesAdmin, events: types } = planAccountChange(current, c.req.valid('json'), now)
    const origin = originOf(c, admin.id)
    const { changed } = await writeChange(c, {
      change: updateUser(db, id, set, { removesAdmin }),
      events: types.map((type) => auditEvent(type, id, origin, now)),
      unchanged: () => whyUnchanged(db, id),
    })
    return c.json(toManagedUser(changed), 200)
  })
  .openapi(remove, async (c) => {
    const { db, user: admin } = c.var
    const { id } = c.req.valid('param')
    await writeChange(c, {
      change: deleteUser(db, id),
      events: [auditEvent('user_deleted', id, originOf(c, admin.id))],
      unchanged: () => whyUnchanged(db, id),
    })
    return c.body(null, 204)
  })
