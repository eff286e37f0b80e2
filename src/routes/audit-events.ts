import { createRoute, z } from '@hono/zod-openapi'
import { listEvents } from '../data/auth-events'
import { authEventTypes } from '../data/schema'
import { adminsOnly } from '../http/guards'
import { errorResponses, jsonResponse, pageQuery } from '../http/openapi'
import { idParamSchema, idSchema } from '../lib/id-schemas'
import { createRouter } from './create-router'

const AuditEventsQuerySchema = z.strictObject({
  userId: idParamSchema
    .optional()
    .openapi({ description: 'Only events about this user (their `userId`, in either case)' }),
  type: z.enum(authEventTypes).optional(),
  ...pageQuery(50),
})

const AuditEventSchema = z
  .object({
    id: idSchema,
    createdAt: z.iso.datetime(),
    type: z.enum(authEventTypes),
    userId: idSchema.nullable().openapi({ description: 'The user the event is about' }),
    actorUserId: idSchema.nullable().openapi({ description: 'Who caused it; null for the CLI' }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .openapi('AuditEvent')

const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'The audit trail, newest first (admin only)',
  ...adminsOnly,
  request: { query: AuditEventsQuerySchema },
  responses: {
    200: jsonResponse(
      'A page of events',
      z.object({ events: z.array(AuditEventSchema), nextCursor: idSchema.nullable() }).openapi('AuditEventPage'),
    ),
    ...errorResponses(400, 401, 403, 500, 503),
  },
})

export const auditEventsRouter = createRouter().openapi(list, async (c) => {
  const { page, nextCursor } = await listEvents(c.var.db, c.req.valid('query'))
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
