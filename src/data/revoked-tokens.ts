import { lte } from 'drizzle-orm'
import { type Database, deleteSome } from './client'
import { revokedTokens } from './schema'

/** Logging out twice is no error. */
export const revokeToken = (db: Database, token: { jti: string; userId: string; expiresAt: number }) =>
  db.insert(revokedTokens).values(token).onConflictDoNothing()

export const deleteExpiredRevocations = (db: Database, now: number, limit: number) =>
  deleteSome(db, revokedTokens, revokedTokens.jti, lte(revokedTokens.expiresAt, now), limit)
