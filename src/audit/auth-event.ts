import { sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import type { Database } from '../db/client'
import { type AuthEventType, authEvents } from '../db/schema'
import { clientAddress } from '../lib/client-address'
import { uuidv7 } from '../lib/uuid-v7'

type NewAuthEvent = typeof authEvents.$inferInsert

/** Who did what to whom, and from where; never any secret. */
export type EventOrigin = Pick<NewAuthEvent, 'actorUserId' | 'ip' | 'userAgent'>

const MAX_USER_AGENT = 512

/** This request as an event origin: the acting user, the client's address (`CF-Connecting-IP`) and user agent. */
export const originOf = (c: Context<AppEnv>, actorUserId: string | null): EventOrigin => ({
  actorUserId,
  ip: clientAddress(c.req.header('CF-Connecting-IP')).ip,
  userAgent: c.req.header('User-Agent')?.slice(0, MAX_USER_AGENT) ?? null,
})

/** An `auth_events` row, stamped now. */
export const authEvent = (
  type: AuthEventType,
  subjectUserId: string | null,
  origin: EventOrigin,
  now = new Date(),
): NewAuthEvent => ({ id: uuidv7(now.getTime()), createdAt: now, type, subjectUserId, ...origin })

/**
 * Inserts `event` only if the statement before it in the same batch changed a
 * row (SQLite's `changes()`), so an event is never written for a change that
 * a guard refused. After one such insert `changes()` is 1, so several can follow
 * the same statement.
 */
export const recordIfChanged = (db: Database, event: NewAuthEvent) =>
  db
    .insert(authEvents)
    .select(
      sql`select ${event.id}, ${event.createdAt.getTime()}, ${event.type}, ${event.subjectUserId}, ${event.actorUserId}, ${event.ip}, ${event.userAgent} where changes() > 0`,
    )

/** One JSON log line per auth event written: type, subject, actor and request id, nothing secret. */
export function logAuthEvents(c: Context<AppEnv>, events: NewAuthEvent[]): void {
  for (const { type, subjectUserId, actorUserId } of events) {
    console.log(
      JSON.stringify({
        level: 'info',
        event: 'auth_event',
        type,
        subjectUserId,
        actorUserId,
        requestId: c.var.requestId,
      }),
    )
  }
}

/**
 * Writes `events`, and the statements `alongside` resolves to, in one batch after the
 * answer is sent: for changes the answer does not depend on.
 */
export function recordInBackground(
  c: Context<AppEnv>,
  events: [NewAuthEvent, ...NewAuthEvent[]],
  alongside: () => Promise<BatchItem<'sqlite'>[]> = async () => [],
): void {
  logAuthEvents(c, events)
  const db = c.var.db
  const write = alongside().then((statements) => db.batch([db.insert(authEvents).values(events), ...statements]))
  c.executionCtx.waitUntil(
    write.catch((err: Error) => {
      console.error(
        JSON.stringify({
          level: 'error',
          event: 'audit_write_failed',
          types: events.map((e) => e.type),
          name: err.name,
        }),
      )
    }),
  )
}
