import { createRoute, z } from '@hono/zod-openapi'
import { requireAuth } from '../../auth/require-auth'
import { requireRole } from '../../auth/require-role'
import { authErrors, userErrors } from '../../http/api-error'
import { bearerAuth, errorResponses } from '../../http/openapi'
import { ManagedUserSchema, toManagedUser } from '../../users/public-user'
import { findUserById, listUsers } from '../../users/user-queries'
import { createRouter } from '../create-router'

export const UserIdParamsSchema = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '019ac1f2-7a3b-7cde-8f01-23456789abcd' }),
})

const ListUsersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, 1 to 100' }),
  cursor: z.uuid().optional().openapi({ description: '`nextCursor` of the previous page' }),
})

const UserPageSchema = z
  .object({
    users: z.array(ManagedUserSchema),
    nextCursor: z.uuid().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .openapi('UserPage')

const userResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ManagedUserSchema } },
})

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['users'],
  summary: 'List users, oldest first (admin only)',
  security: bearerAuth,
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { query: ListUsersQuerySchema },
  responses: {
    200: { description: 'A page of users', content: { 'application/json': { schema: UserPageSchema } } },
    ...errorResponses(400, 401, 403, 500, 503),
  },
})

const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['users'],
  summary: 'One user (admins: anyone; members: themselves only)',
  security: bearerAuth,
  middleware: [requireAuth] as const,
  request: { params: UserIdParamsSchema },
  responses: { 200: userResponse('The user'), ...errorResponses(400, 401, 403, 404, 500, 503) },
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
    if (caller.role !== 'admin' && id !== caller.id) throw authErrors.insufficientPermissions()
    const user = id === caller.id ? caller : await findUserById(c.var.db, id)
    if (!user) throw userErrors.notFound()
    return c.json(toManagedUser(user), 200)
  })

export { userResponse }
