import { lte } from 'drizzle-orm'
import { type Database, deleteSome } from './client'
import { revokedTokens } from './schema'

/** Refuses the token `jti` of `userId` until its `exp` (seconds); logging out twice is no error. */
export const revokeToken = (db: Database, token: { jti: string; userId: string; expiresAt: number }) =>
  db.insert(revokedTokens).values(token).onConflictDoNothing()

/** Deletes up to `limit` revocations of tokens expired by `now` (seconds): refused anyway by then. */
export const deleteExpiredRevocations = (db: Database, now: number, limit: number) =>
  deleteSome(db, revokedTokens, revokedTokens.jti, lte(revokedTokens.expiresAt, now), limit)
