import { createRoute, z } from '@hono/zod-openapi'
import { and, desc, eq, lt } from 'drizzle-orm'
import { requireAuth } from '../auth/require-auth'
import { requireRole } from '../auth/require-role'
import { readWithRetry } from '../db/d1-faults'
import { authEvents, authEventTypes } from '../db/schema'
import { bearerAuth, errorResponses } from '../http/openapi'
import { keysetPage } from '../lib/keyset-page'
import { createRouter } from './create-router'

const AuditEventsQuerySchema = z.strictObject({
  userId: z.uuid().optional().openapi({ description: 'Only events about this user' }),
  type: z.enum(authEventTypes).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50).openapi({ description: 'Page size, 1 to 100' }),
  cursor: z.uuid().optional().openapi({ description: '`nextCursor` of the previous page' }),
})

const AuditEventSchema = z
  .object({
    id: z.uuid(),
    createdAt: z.iso.datetime(),
    type: z.enum(authEventTypes),
    userId: z.uuid().nullable().openapi({ description: 'The user the event is about' }),
    actorUserId: z.uuid().nullable().openapi({ description: 'Who caused it; null for the CLI' }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi('AuditEvent')

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The audit trail, newest first (admin only)',
  security: bearerAuth,
  middleware: [requireAuth, requireRole('admin')] as const,
  request: { query: AuditEventsQuerySchema },
  responses: {
    200: {
      description: 'A page of events',
      content: {
        'application/json': {
          schema: z
            .object({ events: z.array(AuditEventSchema), nextCursor: z.uuid().nullable() })
            .openapi('AuditEventPage'),
        },
      },
    },
    ...errorResponses(400, 401, 403, 500, 503),
  },
})

export const auditEventsRouter = createRouter().openapi(list, async (c) => {
  const { userId, type, limit, cursor } = c.req.valid('query')
  const rows = await readWithRetry(() =>
    c.var.db
      .select()
      .from(authEvents)
      .where(
        and(
          userId ? eq(authEvents.subjectUserId, userId) : undefined,
          type ? eq(authEvents.type, type) : undefined,
          cursor ? lt(authEvents.id, cursor) : undefined,
        ),
      )
      .orderBy(desc(authEvents.id))
      .limit(limit + 1)
      .all(),
  )
  const { page, nextCursor } = keysetPage(rows, limit)
  return c.json(
    {
      events: page.map(({ subjectUserId, createdAt, ...event }) => ({
        ...event,
        createdAt: createdAt.toISOString(),
        userId: subjectUserId,
      })),
      nextCursor,
    },
    200,
  )
})
