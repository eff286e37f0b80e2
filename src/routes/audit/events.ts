import { z } from '@hono/zod-openapi'
import { listEvents } from '../../data/audit-events'
import { apiRoute } from '../../http/api-route'
import { adminsOnly } from '../../http/guards'
import { CLOSED_QUERY } from '../../http/openapi'
import { createRouter } from '../create-router'
import { auditFilters, auditPageResponse, toAuditPage } from './schemas'

const list = apiRoute(adminsOnly, {
  method: 'get',
  path: '/',
  operationId: 'listAuditEvents',
  tags: ['audit'],
  summary: 'The audit trail, newest first (admin only)',
  description: CLOSED_QUERY,
  request: { query: z.strictObject(auditFilters) },
  responses: { 200: auditPageResponse() },
})

export const auditEventsRouter = createRouter().openapi(list, async (c) =>
  c.json(toAuditPage(await listEvents(c.var.db, c.req.valid('query'))), 200),
)
