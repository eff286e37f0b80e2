import type { BatchItem } from 'drizzle-orm/batch'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { insertEvents, recordIfChanged } from '../data/audit-events'
import { type BatchResults, batchByName, type Statement } from '../data/client'
import type { NewAuditEvent } from '../data/schema'
import { conflictOrRethrow } from './conflicts'
import type { ApiError } from './errors'

type Statements = Record<string, Statement>
/** A write that returns the rows it changed (`.returning()`). */
type Change = Statement & { _: { result: readonly unknown[] } }

/**
 * A guarded change, as one batch: `before`, then `change`, then `events` (each written only if
 * `change` changed a row), then `after`. `refusal` says why nothing changed.
 */
type GuardedChange<B extends Statements, C extends Change, A extends Statements> = {
  before?: B
  change: C
  events: NewAuditEvent[]
  after?: A
  refusal: () => ApiError | Promise<ApiError>
}

/** Statements that always apply, as one batch, with `events` written after them. */
type PlainChange<S extends Statements> = { statements: S; events: [NewAuditEvent, ...NewAuditEvent[]] }

/**
 * Writes one audited change in one D1 batch and answers each statement's result by name. A
 * UNIQUE conflict becomes its 409; a guarded `change` that returned no row throws `refusal()`,
 * with nothing written; the events are logged once written.
 *
 * @example
 * const { changed } = await writeChange(c, { change: deleteUser(db, id), events: [event], refusal: () => refusal(db, id) })
 */
export async function writeChange<
  B extends Statements = Record<never, never>,
  C extends Change = Change,
  A extends Statements = Record<never, never>,
>(
  c: Context<AppEnv>,
  write: GuardedChange<B, C, A>,
): Promise<BatchResults<B & A> & { changed: C['_']['result'][number] }>
export async function writeChange<S extends Statements>(
  c: Context<AppEnv>,
  write: PlainChange<S>,
): Promise<BatchResults<S>>
export async function writeChange(
  c: Context<AppEnv>,
  write: GuardedChange<Statements, Change, Statements> | PlainChange<Statements>,
): Promise<Record<string, unknown>> {
  const db = c.var.db
  if ('statements' in write) {
    const results = await batchByName(db, { ...write.statements, [EVENTS]: insertEvents(db, write.events) }).catch(
      conflictOrRethrow,
    )
    logAuditEvents(c, write.events)
    return results
  }
  const { before = {}, change, events, after = {}, refusal } = write
  const recorded = Object.fromEntries(events.map((event, i) => [`${EVENTS}${i}`, recordIfChanged(db, event)]))
  const results = await batchByName(db, { ...before, [CHANGE]: change, ...recorded, ...after }).catch(conflictOrRethrow)
  const changed = (results[CHANGE] as readonly unknown[]).at(0)
  if (changed === undefined) throw await refusal()
  logAuditEvents(c, events)
  return { ...results, changed }
}

// Names of the statements `writeChange` adds: not identifiers, so no caller's name is taken.
const CHANGE = '#change'
const EVENTS = '#event'

/** One JSON log line per audit event written: type, subject, actor, organization and request id, nothing secret. */
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

/**
 * Writes the statements `statements` resolves to in one batch after the answer is sent, for
 * changes the answer does not depend on. A failure logs `event` and the error's name only:
 * drizzle's messages spell out the statements' parameters.
 */
export function writeInBackground(
  c: Context<AppEnv>,
  event: string,
  statements: () => Promise<[BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]>,
  logged: Record<string, unknown> = {},
): void {
  const db = c.var.db
  c.executionCtx.waitUntil(
    statements()
      .then((batch) => db.batch(batch))
      .catch((err: Error) => {
        console.error(JSON.stringify({ level: 'error', event, ...logged, name: err.name }))
      }),
  )
}

/** Writes `events` after the answer is sent: for events the answer does not depend on. */
export function recordInBackground(c: Context<AppEnv>, events: [NewAuditEvent, ...NewAuditEvent[]]): void {
  logAuditEvents(c, events)
  writeInBackground(c, 'audit_write_failed', async () => [insertEvents(c.var.db, events)], {
    types: events.map((e) => e.type),
  })
}
