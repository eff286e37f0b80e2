import { and, desc, eq, gt, lt, lte, notInArray, or, sql } from 'drizzle-orm'
import { normalizeIdentifier } from '../lib/normalize'
import { type Database, deleteSome } from './client'
import { trustedDevices, type User, users } from './schema'

/** The most devices an account keeps trusted: a new one beyond it pushes out the least recently used. */
export const MAX_DEVICES_PER_ACCOUNT = 20

/**
 * Reserves one check of a login's password on the trusted device whose token hashes to `hash`:
 * only if the device belongs to the account `login` names, its token was given under that
 * account's current `token_version`, it has not expired and has fewer than `maxFailures`
 * failures. Counts the check as a failure until `trustDevice` says it was right; the one that
 * reaches the limit spends the device. Returns the account's id if reserved; nothing otherwise,
 * and the login is then checked as any other.
 *
 * @example
 * const [[reserved], [user]] = await db.batch([reserveOnDevice(db, args), selectUserByLogin(db, login)])
 */
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

/** A right password from the device `hash`: its failures start over, and it stays trusted `ttlMs` from `now`. */
export const trustDevice = (db: Database, hash: string, now: Date, ttlMs: number) =>
  db
    .update(trustedDevices)
    .set({ failures: 0, expiresAt: new Date(now.getTime() + ttlMs) })
    .where(eq(trustedDevices.hash, hash))

/**
 * A new trusted device of `user`, written only while `user.tokenVersion` is still the account's
 * (a login racing a password change trusts nothing); then the account's least recently used
 * devices beyond `MAX_DEVICES_PER_ACCOUNT` go: two named statements for the login's batch.
 */
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

/** Deletes up to `limit` devices expired (or spent) by `now`. */
export const deleteExpiredDevices = (db: Database, now: Date, limit: number) =>
  deleteSome(db, trustedDevices, trustedDevices.hash, lte(trustedDevices.expiresAt, now), limit)
