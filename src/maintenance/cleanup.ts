import { deleteEndedApiKeys } from '../data/api-keys'
import { deleteEventsBefore } from '../data/audit-events'
import type { Database } from '../data/client'
import { deleteExpiredInvitations } from '../data/invitations'
import { deleteDrainedCounters } from '../data/login-throttles'
import { deleteEndedFamilies } from '../data/refresh-tokens'
import { deleteExpiredRevocations } from '../data/revoked-tokens'
import { deleteExpiredDevices } from '../data/trusted-devices'
import { uuidv7Floor } from '../lib/uuid-v7'

/** Rows per statement: each stays well inside D1's per-query limits. */
const CHUNK_ROWS = 5_000
/** Statements per table per run; what is left waits for the next run. */
const MAX_CHUNKS = 20

async function deleteAll(deleteChunk: (limit: number) => Promise<{ meta: { changes: number } }>): Promise<number> {
  let deleted = 0
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    const { meta } = await deleteChunk(CHUNK_ROWS)
    deleted += meta.changes
    if (meta.changes < CHUNK_ROWS) break
  }
  return deleted
}

type CleanupSettings = { now: Date; auditRetentionDays: number; accessTokenTtlSeconds: number }

/** Revoked and expired keys are kept this long, so their use is still recognised and audited. */
const ENDED_API_KEY_DAYS = 30

/** Deletes only rows that no longer matter; families wait one access token lifetime, so their tokens have expired. */
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
    apiKeys: await deleteAll((limit) =>
      deleteEndedApiKeys(db, new Date(now.getTime() - ENDED_API_KEY_DAYS * 86_400_000), limit),
    ),
    auditEvents: await deleteAll((limit) => deleteEventsBefore(db, auditCutoff, limit)),
  }
}
