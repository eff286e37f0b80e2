import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import type { EventOrigin } from '../audit/events'
import { insertEvents } from '../data/audit-events'
import type { NewAuditEvent } from '../data/schema'
import { type ClientAddress, clientAddress } from '../lib/client-address'
import { writeInBackground } from './background-write'

const MAX_USER_AGENT = 512

/** The request's client, from `CF-Connecting-IP`: the one place that header is read. */
export const clientOf = (c: Context<AppEnv>): ClientAddress => clientAddress(c.req.header('CF-Connecting-IP'))

/** This request as an event origin: the acting user, the client's address and user agent. */
export const originOf = (c: Context<AppEnv>, actorUserId: string | null): EventOrigin => ({
  actorUserId,
  ip: clientOf(c).ip,
  userAgent: c.req.header('User-Agent')?.slice(0, MAX_USER_AGENT) ?? null,
})

/** One JSON log line per auth event written: type, subject, actor, organisation and request id, nothing secret. */
export function logAuditEvents(c: Context<AppEnv>, events: NewAuditEvent[]): void {
  for (const { type, subjectUserId, actorUserId, orgId } of events) {
    console.log(
      JSON.stringify({
        level: 'info',
        event: 'audit_event',
        type,
        subjectUserId,
        actorUserId,
        ...(orgId ? { orgId } : {}),
        requestId: c.var.requestId,
      }),
    )
  }
}

/** Writes `events` after the answer is sent: for events the answer does not depend on. */
export function recordInBackground(c: Context<AppEnv>, events: [NewAuditEvent, ...NewAuditEvent[]]): void {
  logAuditEvents(c, events)
  writeInBackground(c, 'audit_write_failed', async () => [insertEvents(c.var.db, events)], {
    types: events.map((e) => e.type),
  })
}
