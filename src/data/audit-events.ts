import { and, desc, eq, getTableColumns, lt, type SQL, sql } from 'drizzle-orm'
import { keysetPage } from '../lib/keyset-page'
import { type Database, deleteSome } from './client'
import { readWithRetry } from './d1-faults'
import { type AuditEventType, auditEvents, type NewAuditEvent } from './schema'

export const insertEvents = (db: Database, events: NewAuditEvent[]) => db.insert(auditEvents).values(events)

/** Inserts only if the batch's previous statement changed a row, so a refused change is never audited (docs/design.md). */
export function recordIfChanged(db: Database, event: NewAuditEvent, read: { [F in keyof NewAuditEvent]?: SQL } = {}) {
  const values = Object.entries(getTableColumns(auditEvents)).map(
    ([field, column]) =>
      read[field as keyof NewAuditEvent] ?? sql.param(event[field as keyof NewAuditEvent] ?? null, column),
  )
  return db.insert(auditEvents).select(sql`select ${sql.join(values, sql`, `)} where changes() > 0`)
}

export async function listEvents(
  db: Database,
  {
    userId,
    orgId,
    type,
    limit,
    cursor,
  }: { userId?: string; orgId?: string; type?: AuditEventType; limit: number; cursor?: string },
) {
  const rows = await readWithRetry(() =>
    db
      .select()
      .from(auditEvents)
      .where(
        and(
          userId ? eq(auditEvents.subjectUserId, userId) : undefined,
          orgId ? eq(auditEvents.orgId, orgId) : undefined,
          type ? eq(auditEvents.type, type) : undefined,
          cursor ? lt(auditEvents.id, cursor) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

/** Ids are UUIDv7: a lower id is an older event. */
export const deleteEventsBefore = (db: Database, cutoff: string, limit: number) =>
  deleteSome(db, auditEvents, auditEvents.id, lt(auditEvents.id, cutoff), limit)
