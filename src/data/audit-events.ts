import { and, desc, eq, getTableColumns, lt, type SQL, sql } from 'drizzle-orm'
import { keysetPage } from '../lib/keyset-page'
import { type Database, deleteSome } from './client'
import { readWithRetry } from './d1-faults'
import { type AuditEventType, auditEvents, type NewAuditEvent } from './schema'

export const insertEvents = (db: Database, events: NewAuditEvent[]) => db.insert(auditEvents).values(events)

/**
 * Inserts `event` only if the statement before it in the same batch changed a
 * row (SQLite's `changes()`), so an event is never written for a change that
 * a guard refused. After one such insert `changes()` is 1, so several can follow
 * the same statement. The values follow the table's own columns, as the INSERT's
 * column list does, each turned into what D1 stores as its column would; `read`
 * gives some columns an SQL expression instead, for what only the database knows.
 *
 * @example
 * db.batch([deleteUser(db, id), recordIfChanged(db, event)])
 */
export function recordIfChanged(db: Database, event: NewAuditEvent, read: { [F in keyof NewAuditEvent]?: SQL } = {}) {
  const values = Object.entries(getTableColumns(auditEvents)).map(
    ([field, column]) =>
      read[field as keyof NewAuditEvent] ?? sql.param(event[field as keyof NewAuditEvent] ?? null, column),
  )
  return db.insert(auditEvents).select(sql`select ${sql.join(values, sql`, `)} where changes() > 0`)
}

/**
 * One page of events, newest first, about `userId`, in the organisation `orgId` and of `type`
 * if given, before `cursor` if given.
 */
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

/** Deletes up to `limit` events with an id below `cutoff` (ids are UUIDv7: older than its time). */
export const deleteEventsBefore = (db: Database, cutoff: string, limit: number) =>
  deleteSome(db, auditEvents, auditEvents.id, lt(auditEvents.id, cutoff), limit)
