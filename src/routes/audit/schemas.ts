import { z } from '@hono/zod-openapi'
import type { listEvents } from '../../data/audit-events'
import { auditEventTypes } from '../../data/schema'
import { idParamSchema, idSchema } from '../../http/id-schemas'
import { jsonResponse, nextCursorSchema, pageQuery } from '../../http/openapi'

export const auditFilters = {
  userId: idParamSchema
    .optional()
    .openapi({ description: 'Only events about this user (their `userId`, in either case)' }),
  type: z.enum(auditEventTypes).optional().openapi({ description: 'Only events of this type' }),
  ...pageQuery(50),
}

const AuditEventSchema = z
  .object({
    id: idSchema,
    createdAt: z.iso.datetime(),
    type: z.enum(auditEventTypes),
    userId: idSchema.nullable().openapi({ description: 'The user the event is about' }),
    actorUserId: idSchema
      .nullable()
      .openapi({ description: 'Who caused it; null for the CLI, an API key or an anonymous caller' }),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    orgId: idSchema.nullable().openapi({ description: 'The organization it happened in, if any' }),
    apiKeyId: idSchema.nullable().openapi({
      description:
        'The API key it is about (`api_key_*`), or that acted (then `actorUserId` is null); never the key itself',
    }),
  })
  .openapi('AuditEvent')

const AuditEventPageSchema = z
  .object({
    events: z.array(AuditEventSchema),
    nextCursor: nextCursorSchema,
  })
  .openapi('AuditEventPage')

export const auditPageResponse = (example: Partial<z.infer<typeof AuditEventSchema>> = {}) =>
  jsonResponse('A page of events, newest first', AuditEventPageSchema, {
    events: [
      {
        id: '019ac1f3-0b1c-7d2e-9f30-415263748596',
        createdAt: '2026-11-29T10:15:30.123Z',
        type: 'login_failed',
        userId: '019ac1f2-7a3b-7cde-8f01-23456789abcd',
        actorUserId: null,
        ip: '203.0.113.7',
        userAgent: 'Mozilla/5.0',
        orgId: null,
        apiKeyId: null,
        ...example,
      },
    ],
    nextCursor: null,
  })

export const toAuditPage = ({ page, nextCursor }: Awaited<ReturnType<typeof listEvents>>) => ({
  events: page.map(({ subjectUserId, createdAt, ...event }) => ({
    ...event,
    createdAt: createdAt.toISOString(),
    userId: subjectUserId,
  })),
  nextCursor,
})
