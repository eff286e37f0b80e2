import { deleteEventsBefore } from '../data/audit-events'
import type { Database } from '../data/client'
import { deleteExpiredInvitations } from '../data/invitations'
import { deleteDrainedCounters } from '../data/login-throttles'
import { deleteEndedFamilies } from '../data/refresh-tokens'
import { deleteExpiredRevocations } from '../data/revoked-tokens'
import { deleteExpiredDevices } from '../data/trusted-devices'
import { uuidv7Floor } from '../lib/uuid-v7'

/** Rows deleted per statement: each stays well inside D1's per-query limits. */
const CHUNK_ROWS = 5_000
/** Statements per table per run; what is left waits for the next run. */
const MAX_CHUNKS = 20

/** Runs a chunked delete until it deletes less than a chunk or `MAX_CHUNKS` have run; resolves how many went. */
async function deleteAll(deleteChunk: (limit: number) => Promise<{ meta: { changes: number } }>): Promise<number> {
  let deleted = 0
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    const { meta } = await deleteChunk(CHUNK_ROWS)
    deleted += meta.changes
    if (meta.changes < CHUNK_ROWS) break
  }
  return deleted
}

/** What the cleanup is told: the time, and how long audit events and access tokens live. */
type CleanupSettings = { now: Date; auditRetentionDays: number; accessTokenTtlSeconds: number }

/**
 * What the scheduled job removes: login counters that have drained (nothing an anonymous
 * caller makes us store outlives its use), logged-out tokens past their expiry (refused
 * anyway by then), refresh token families an access token's lifetime after they went idle,
 * expired or were revoked (their access tokens have expired by then), device tokens expired or
 * spent, expired invitations, and audit events older than the retention. Resolves the counts.
 *
 * @example
 * await cleanUp(database(env.DB), { now: new Date(), auditRetentionDays: 90, accessTokenTtlSeconds: 86_400 })
 * // { loginThrottles: 12, revokedTokens: 3, refreshFamilies: 2, trustedDevices: 1, invitations: 5, auditEvents: 0 }
 */
export async function cleanUp(db: Database, { now, auditRetentionDays, accessTokenTtlSeconds }: CleanupSettings) {
  const seconds = Math.floor(now.getTime() / 1000)
  const auditCutoff = uuidv7Floor(now.getTime() - auditRetentionDays * 86_400_000)
  const familyCutoff = new Date(now.getTime() - accessTokenTtlSeconds * 1000)
  return {
    loginThrottles: await deleteAll((limit) => deleteDrainedCounters(db, seconds, limit)),
    revokedTokens: await deleteAll((limit) => deleteExpiredRevocations(db, seconds, limit)),
    refreshFamilies: await deleteAll((limit) => deleteEndedFamilies(db, familyCutoff, limit)),
    trustedDevices: await deleteAll((limit) => deleteExpiredDevices(db, now, limit)),
    invitations: await deleteAll((limit) => deleteExpiredInvitations(db, now, limit)),
    auditEvents: await deleteAll((limit) => deleteEventsBefore(db, auditCutoff, limit)),
  }
}
