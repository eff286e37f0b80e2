import { eq, gt, or, sql } from 'drizzle-orm'
import type { TokenClaims } from '../auth/token-claims'
import type { Database } from '../db/client'
import { readWithRetry } from '../db/d1-faults'
import { revokedTokens, users } from '../db/schema'
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
