import type { AuditEventType, NewAuditEvent } from '../data/schema'
import { uuidv7 } from '../lib/uuid-v7'

/** Who did what to whom, and from where; never any secret. */
export type EventOrigin = Pick<NewAuditEvent, 'actorUserId' | 'ip' | 'userAgent'>

/** A change made by the operator CLI: nobody logged in acted, from no address. */
export const CLI_ORIGIN: EventOrigin = { actorUserId: null, ip: null, userAgent: 'orgstack-cli' }

/** An `audit_events` row, stamped now. */
export const auditEvent = (
  type: AuditEventType,
  subjectUserId: string | null,
  origin: EventOrigin,
  now = new Date(),
): NewAuditEvent => ({ id: uuidv7(now.getTime()), createdAt: now, type, subjectUserId, ...origin })

/**
 * An `audit_events` row about the organisation `orgId`, stamped now; `subjectUserId` is the
 * member the event is about (for `org_created`, its first owner), null for the organisation itself.
 *
 * @example
 * orgEvent('member_added', org.id, user.id, originOf(c, caller.id))
 */
export const orgEvent = (
  type: AuditEventType,
  orgId: string,
  subjectUserId: string | null,
  origin: EventOrigin,
  now = new Date(),
): NewAuditEvent => ({ ...auditEvent(type, subjectUserId, origin, now), orgId })
