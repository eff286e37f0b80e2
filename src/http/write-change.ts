import type { BatchItem } from 'drizzle-orm/batch'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { forgetAccounts } from '../auth/account-cache'
import { insertEvents, recordIfChanged } from '../data/audit-events'
import { type BatchResults, batchByName, type Statement } from '../data/client'
import type { NewAuditEvent } from '../data/schema'
import { conflictOrRethrow } from './conflicts'
import type { ApiError } from './errors'

type Statements = Record<string, Statement>
/** A write that returns the rows it changed (`.returning()`). */
type Change = Statement & { _: { result: readonly unknown[] } }

/** Batched in this order; events are written only if `change` returns a row, otherwise `unchanged()` is thrown. */
type GuardedChange<B extends Statements, C extends Change, A extends Statements> = {
  before?: B
  change: C
  events: NewAuditEvent[]
  after?: A
  unchanged: () => ApiError | Promise<ApiError>
}

type PlainChange<S extends Statements> = { statements: S; events: [NewAuditEvent, ...NewAuditEvent[]] }

/** One audited change as one D1 batch, results by statement name; UNIQUE conflicts become their 409. */
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
    changeWritten(c, write.events)
    return results
  }
  const { before = {}, change, events, after = {}, unchanged } = write
  const recorded = Object.fromEntries(events.map((event, i) => [`${EVENTS}${i}`, recordIfChanged(db, event)]))
  const results = await batchByName(db, { ...before, [CHANGE]: change, ...recorded, ...after }).catch(conflictOrRethrow)
  const changed = (results[CHANGE] as readonly unknown[]).at(0)
  if (changed === undefined) throw await unchanged()
  changeWritten(c, events)
  return { ...results, changed }
}

// Not identifiers, so they never collide with a caller's statement names.
const CHANGE = '#change'
const EVENTS = '#event'

/**
 * After a change and its events are written: this isolate forgets the cached accounts they concern (every
 * revocation, role, membership or organization change is audited about its user or organization), then logs them.
 */
export function changeWritten(c: Context<AppEnv>, events: NewAuditEvent[]): void {
  for (const { subjectUserId, orgId } of events) forgetAccounts({ userId: subjectUserId, orgId })
  logAuditEvents(c, events)
}

/** One JSON log line per audit event written, nothing secret. */
function logAuditEvents(c: Context<AppEnv>, events: NewAuditEvent[]): void {
  for (const { type, subjectUserId, actorUserId, orgId, apiKeyId } of events) {
    console.log(
      JSON.stringify({
        level: 'info',
        event: 'audit_event',
        type,
        subjectUserId,
        actorUserId,
        ...(orgId ? { orgId } : {}),
        ...(apiKeyId ? { apiKeyId } : {}),
        requestId: c.var.requestId,
      }),
    )
  }
}

/** Batches `statements` after the response; a failure logs only the error's name, never drizzle's parameters. */
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

/** Writes `events` after the response is sent. */
export function recordInBackground(c: Context<AppEnv>, events: [NewAuditEvent, ...NewAuditEvent[]]): void {
  logAuditEvents(c, events)
  writeInBackground(c, 'audit_write_failed', async () => [insertEvents(c.var.db, events)], {
    types: events.map((e) => e.type),
  })
}
