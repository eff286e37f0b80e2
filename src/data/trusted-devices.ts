import { and, desc, eq, gt, lt, lte, notInArray, or, sql } from 'drizzle-orm'
import { normalizeIdentifier } from '../lib/normalize'
import { type Database, deleteSome } from './client'
import { trustedDevices, type User, users } from './schema'

/** Beyond it, the least recently used device is dropped. */
export const MAX_DEVICES_PER_ACCOUNT = 20

/** Counts a failure until `trustDevice` clears it; returns the user id only for a live device of the account `login` names. */
export function reserveOnDevice(
  db: Database,
  { hash, login, now, maxFailures }: { hash: string; login: string; now: Date; maxFailures: number },
) {
  const key = normalizeIdentifier(login)
  const d = trustedDevices
  const account = db
    .select({ id: users.id })
    .from(users)
    .where(and(or(eq(users.usernameKey, key), eq(users.email, key)), eq(users.tokenVersion, d.tokenVersion)))
  return db
    .update(d)
    .set({
      failures: sql`${d.failures} + 1`,
      expiresAt: sql`(case when ${d.failures} + 1 >= ${maxFailures} then ${now.getTime()} else ${d.expiresAt} end)`,
    })
    .where(and(eq(d.hash, hash), gt(d.expiresAt, now), lt(d.failures, maxFailures), sql`${d.userId} in (${account})`))
    .returning({ userId: d.userId })
}

export const trustDevice = (db: Database, hash: string, now: Date, ttlMs: number) =>
  db
    .update(trustedDevices)
    .set({ failures: 0, expiresAt: new Date(now.getTime() + ttlMs) })
    .where(eq(trustedDevices.hash, hash))

/** Written only while `user.tokenVersion` is current, so a login racing a password change trusts nothing. */
export function insertDevice(
  db: Database,
  { hash, user, now, ttlMs }: { hash: string; user: Pick<User, 'id' | 'tokenVersion'>; now: Date; ttlMs: number },
) {
  const insert = db.insert(trustedDevices).select((qb) =>
    qb
      .select({
        hash: sql<string>`${hash}`.as('hash'),
        userId: users.id,
        tokenVersion: users.tokenVersion,
        failures: sql<number>`0`.as('failures'),
        createdAt: sql<number>`${now.getTime()}`.as('created_at'),
        expiresAt: sql<number>`${now.getTime() + ttlMs}`.as('expires_at'),
      })
      .from(users)
      .where(and(eq(users.id, user.id), eq(users.tokenVersion, user.tokenVersion))),
  )
  const kept = db
    .select({ hash: trustedDevices.hash })
    .from(trustedDevices)
    .where(eq(trustedDevices.userId, user.id))
    .orderBy(desc(trustedDevices.expiresAt))
    .limit(MAX_DEVICES_PER_ACCOUNT)
  const prune = db
    .delete(trustedDevices)
    .where(and(eq(trustedDevices.userId, user.id), notInArray(trustedDevices.hash, kept)))
  return { device: insert, oldDevices: prune }
}

/** Spent devices expire at once, so this removes them too. */
export const deleteExpiredDevices = (db: Database, now: Date, limit: number) =>
  deleteSome(db, trustedDevices, trustedDevices.hash, lte(trustedDevices.expiresAt, now), limit)
