import type { AuditEventType, NewAuditEvent } from '../data/schema'
import { uuidv7 } from '../lib/uuid-v7'

/** Who acted (a user, or an API key), and from where; never a secret. */
export type EventOrigin = Pick<NewAuditEvent, 'actorUserId' | 'apiKeyId' | 'ip' | 'userAgent'>

/** The operator CLI: no logged-in actor, no address. */
export const CLI_ORIGIN: EventOrigin = { actorUserId: null, ip: null, userAgent: 'orgstack-cli' }

export const auditEvent = (
  type: AuditEventType,
  subjectUserId: string | null,
  origin: EventOrigin,
  now = new Date(),
): NewAuditEvent => ({ id: uuidv7(now.getTime()), createdAt: now, type, subjectUserId, ...origin })

/** `subjectUserId` is the member concerned (for `org_created`, the first owner), null for the organization itself. */
export const orgEvent = (
  type: AuditEventType,
  orgId: string,
  subjectUserId: string | null,
  origin: EventOrigin,
  now = new Date(),
): NewAuditEvent => ({ ...auditEvent(type, subjectUserId, origin, now), orgId })
