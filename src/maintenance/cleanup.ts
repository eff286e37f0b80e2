import { inArray, lt, lte, type SQL } from 'drizzle-orm'
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from '../db/client'
import { authEvents, loginThrottles, revokedTokens } from '../db/schema'
import { uuidv7Floor } from '../lib/uuid-v7'

/** Rows deleted per statement: each stays well inside D1's per-query limits. */
const CHUNK_ROWS = 5_000
/** Statements per table per run; what is left waits for the next run. */
const MAX_CHUNKS = 20

/**
 * Deletes the rows of `table` (named by its primary key `key`) that `expired` selects,
 * a chunk at a time, until none is left or `MAX_CHUNKS` have run. Resolves how many went.
 */
async function deleteExpired(db: Database, table: SQLiteTable, key: AnySQLiteColumn, expired: SQL): Promise<number> {
  let deleted = 0
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    const batch = db.select({ key }).from(table).where(expired).limit(CHUNK_ROWS)
    const { meta } = await db.delete(table).where(inArray(key, batch))
    deleted += meta.changes
    if (meta.changes < CHUNK_ROWS) break
  }
  return deleted
}

/**
 * What the scheduled job removes: login counters that have drained (nothing an anonymous
 * caller makes us store outlives its use), logged-out tokens past their expiry (refused
 * anyway by then), and audit events older than the retention. Resolves the counts.
 *
 * @example
 * await cleanUp(drizzle(env.DB), { now: new Date(), auditRetentionDays: 90 })
 * // { loginThrottles: 12, revokedTokens: 3, authEvents: 0 }
 */
export async function cleanUp(db: Database, { now, auditRetentionDays }: { now: Date; auditRetentionDays: number }) {
  const seconds = Math.floor(now.getTime() / 1000)
  const auditCutoff = uuidv7Floor(now.getTime() - auditRetentionDays * 86_400_000)
  return {
    loginThrottles: await deleteExpired(db, loginThrottles, loginThrottles.key, lte(loginThrottles.expiresAt, seconds)),
    revokedTokens: await deleteExpired(db, revokedTokens, revokedTokens.jti, lte(revokedTokens.expiresAt, seconds)),
    // Ids are UUIDv7: older than the cutoff is a range of the primary key.
    authEvents: await deleteExpired(db, authEvents, authEvents.id, lt(authEvents.id, auditCutoff)),
  }
}
