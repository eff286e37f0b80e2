import { z } from '@hono/zod-openapi'
import { listEvents } from '../../data/audit-events'
import { apiRoute } from '../../http/api-route'
import { inOrg } from '../../http/guards'
import { CLOSED_QUERY } from '../../http/openapi'
import { seesOriginOf } from '../../orgs/permissions'
import { createRouter } from '../create-router'
import { viewerOf } from '../orgs/authorize'
import { ORGANIZATION_EXAMPLE, OrgParamsSchema } from '../orgs/schemas'
import { auditFilters, auditPageResponse, toAuditPage } from './schemas'

const list = apiRoute(inOrg('view_audit', { apiKeys: true }), {
  method: 'get',
  path: '/{orgId}/audit-events',
  operationId: 'listOrganizationAuditEvents',
  tags: ['audit'],
  summary: "An organization's audit trail, newest first (its owners and admins)",
  description: `An event's \`ip\` and \`userAgent\` are shown only for the caller's own requests (to global admins, always); they are null for everyone else's. ${CLOSED_QUERY}`,
  request: { params: OrgParamsSchema, query: z.strictObject(auditFilters) },
  responses: {
    200: auditPageResponse({
      type: 'member_added',
      actorUserId: '019ac1f2-6b2a-7bcd-9e00-123456789abc',
      orgId: ORGANIZATION_EXAMPLE.orgId,
    }),
  },
})

export const orgAuditEventsRouter = createRouter().openapi(list, async (c) => {
  const { events, nextCursor } = toAuditPage(
    await listEvents(c.var.db, { ...c.req.valid('query'), orgId: c.var.orgScope.org.id }),
  )
  const viewer = viewerOf(c)
  const shown = events.map((event) => (seesOriginOf(viewer, event) ? event : { ...event, ip: null, userAgent: null }))
  return c.json({ events: shown, nextCursor }, 200)
})
