import { createRoute, z } from '@hono/zod-openapi'
import { requireAuth } from '../auth/require-auth'
import { requireRole } from '../auth/require-role'
import { bearerAuth, errorResponses } from '../http/openapi'
import { PublicUserSchema, toPublicUser } from '../users/public-user'
import { listUsers } from '../users/user-queries'
import { createRouter } from './create-router'

const ListUsersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size, 1 to 100' }),
  cursor: z.uuid().optional().openapi({ description: '`nextCursor` of the previous page' }),
})

const UserPageSchema = z
  .object({
    users: z.array(PublicUserSchema),
    nextCursor: z.uuid().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .openapi('UserPage')

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
    ...errorResponses(400, 401, 403, 500),
  },
})

export const usersRouter = createRouter().openapi(list, async (c) => {
  const { page, nextCursor } = await listUsers(c.var.db, c.req.valid('query'))
  return c.json({ users: page.map(toPublicUser), nextCursor }, 200)
})
