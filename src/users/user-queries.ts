import { and, eq, gt, or, sql } from 'drizzle-orm'
import type { TokenClaims } from '../auth/token-claims'
import type { Database } from '../db/client'
import { readWithRetry } from '../db/d1-faults'
import { revokedTokens, type User, users } from '../db/schema'
import { keysetPage } from '../lib/keyset-page'
import { normalizeIdentifier } from '../lib/normalize'

/** The user whose username or email is `login`, compared after normalisation: a query to run or batch. */
export function userByLogin(db: Database, login: string) {
  const key = normalizeIdentifier(login)
  return db
    .select()
    .from(users)
    .where(or(eq(users.usernameKey, key), eq(users.email, key)))
    .limit(1)
}

/**
 * The password hash of an account picked by `seed` (any non-negative integer): a seek by
 * rowid, not a scan. Login checks an unknown user against a dummy with this hash's
 * parameters, so while stored hashes are being upgraded the unknown user costs what a
 * real one does, and the same `seed` (one per login typed) costs the same every time.
 */
export function passwordHashBySeed(db: Database, seed: number) {
  return db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(sql`rowid > ${seed} % (select max(rowid) from ${users})`)
    .orderBy(sql`rowid`)
    .limit(1)
}

/**
 * Replaces a hash made with older parameters by `passwordHash`, unless the user's
 * password changed in the meantime. Not a change the user made: `updated_at` stays.
 */
export const rehashPassword = (db: Database, user: Pick<User, 'id' | 'passwordHash'>, passwordHash: string) =>
  db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))

export function findUserById(db: Database, id: string) {
  return readWithRetry(() => db.select().from(users).where(eq(users.id, id)).get())
}

/** The token's account and whether the token was logged out: one query, by primary keys. */
export function findAccountForToken(db: Database, token: Pick<TokenClaims, 'sub' | 'jti'>) {
  return readWithRetry(() =>
    db
      .select({
        user: users,
        revoked: sql<number>`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${token.jti})`,
      })
      .from(users)
      .where(eq(users.id, token.sub))
      .get(),
  )
}

/** One page of users in creation order (ids are UUIDv7), after `cursor` if given. */
export async function listUsers(db: Database, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await readWithRetry(() =>
    db
      .select()
      .from(users)
      .where(cursor ? gt(users.id, cursor) : undefined)
      .orderBy(users.id)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}
