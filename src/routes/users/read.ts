import { z } from '@hono/zod-openapi'
import { findUserById, listUsers } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { adminsOnly, signedIn } from '../../http/guards'
import { CLOSED_QUERY, jsonResponse, nextCursorSchema, pageQuery } from '../../http/openapi'
import { createRouter } from '../create-router'
import { MANAGED_USER_EXAMPLE, ManagedUserSchema, toManagedUser, UserIdParamsSchema, userResponse } from './schemas'

const UserPageSchema = z
  .object({
    users: z.array(ManagedUserSchema),
    nextCursor: nextCursorSchema,
  })
  .openapi('UserPage')

const list = apiRoute(adminsOnly, {
  method: 'get',
  path: '/',
  operationId: 'listUsers',
  tags: ['users'],
  summary: 'List users, oldest first (admin only)',
  description: CLOSED_QUERY,
  request: { query: z.strictObject(pageQuery(20)) },
  responses: {
    200: jsonResponse('A page of users', UserPageSchema, {
      users: [MANAGED_USER_EXAMPLE],
      nextCursor: MANAGED_USER_EXAMPLE.userId,
    }),
  },
})

const get = apiRoute(signedIn, {
  method: 'get',
  path: '/{id}',
  operationId: 'getUser',
  tags: ['users'],
  summary: 'One user (admins: anyone; members: themselves only)',
  request: { params: UserIdParamsSchema },
  responses: { 200: userResponse('The user') },
  errors: ['insufficient_permissions', 'user_not_found'],
})

export const readUsersRouter = createRouter()
  .openapi(list, async (c) => {
    const { page, nextCursor } = await listUsers(c.var.db, c.req.valid('query'))
    return c.json({ users: page.map(toManagedUser), nextCursor }, 200)
  })
  .openapi(get, async (c) => {
    const { id } = c.req.valid('param')
    const caller = c.var.user
    // Decided before any lookup, so a member learns nothing of other ids, not even whether they exist.
    if (caller.role !== 'admin' && id !== caller.id) throw new ApiError('insufficient_permissions')
    const user = id === caller.id ? caller : await findUserById(c.var.db, id)
    if (!user) throw new ApiError('user_not_found')
    return c.json(toManagedUser(user), 200)
  })
