import { and, eq, gt, isNotNull, ne, or, type SQL, sql } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { keysetPage } from '../lib/keyset-page'
import { normalizeIdentifier } from '../lib/normalize'
import type { Database } from './client'
import { readWithRetry } from './d1-faults'
import { ownsNoOrganizationAlone } from './memberships'
import { familyRevoked } from './refresh-tokens'
import { type NewUser, revokedTokens, type User, users } from './schema'

/** The user whose username or email is `login`, compared after normalisation. */
export function selectUserByLogin(db: Database, login: string) {
  const key = normalizeIdentifier(login)
  return db
    .select()
    .from(users)
    .where(or(eq(users.usernameKey, key), eq(users.email, key)))
    .limit(1)
}

/**
 * The account a member is added by: its username, email or id. The three never overlap (an id
 * is 36 characters, a username at most 32, and only an email has an `@`).
 *
 * @example
 * const user = await findUserByReference(db, 'Alice') // the account `alice`
 */
export function findUserByReference(db: Database, reference: string) {
  const key = normalizeIdentifier(reference)
  return readWithRetry(() =>
    db
      .select()
      .from(users)
      .where(or(eq(users.id, key), eq(users.usernameKey, key), eq(users.email, key)))
      .get(),
  )
}

/** The accounts holding a username key or an email: what a new account would clash with. */
export const usersHolding = (db: Database, { usernameKey, email }: Pick<NewUser, 'usernameKey' | 'email'>) =>
  db
    .select({ usernameKey: users.usernameKey, email: users.email })
    .from(users)
    .where(or(eq(users.usernameKey, usernameKey), eq(users.email, email)))

/** The account named `username` (after normalisation, as login compares), as the operator CLI shows it. */
export const accountByUsername = (db: Database, username: string) =>
  db
    .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.usernameKey, normalizeIdentifier(username)))

/** Any one account, or none: whether the database has users at all. */
export const anyUser = (db: Database) => db.select({ id: users.id }).from(users).limit(1)

/**
 * The password hash of an account picked by `seed` (any non-negative integer): a seek by
 * rowid, not a scan. Login checks an unknown user against a dummy with this hash's
 * parameters, so while stored hashes are being upgraded the unknown user costs what a
 * real one does, and the same `seed` (one per login typed) costs the same every time.
 */
export function selectPasswordHashBySeed(db: Database, seed: number) {
  return db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(sql`rowid > ${seed} % (select max(rowid) from ${users})`)
    .orderBy(sql`rowid`)
    .limit(1)
}

const userById = (db: Database, id: string) => db.select().from(users).where(eq(users.id, id))

/** The account `id`, read with D1's transient failures retried. */
export const findUserById = (db: Database, id: string) => readWithRetry(() => userById(db, id).get())

/** The user and token a protected request names: its `sub`, `jti` and, if any, `fam`. */
export type TokenRef = { userId: string; jti: string; familyId?: string }

/**
 * Whether the token `jti` was revoked: logged out itself, or issued from the refresh token
 * family `familyId`, if it names one, since revoked. An SQL condition for a protected request's one query.
 */
export function tokenRevoked({ jti, familyId }: Omit<TokenRef, 'userId'>) {
  const loggedOut = sql`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${jti})`
  return familyId === undefined ? loggedOut : sql`${loggedOut} or ${familyRevoked(familyId)}`
}

/**
 * An account, and whether one of its tokens (`jti`) was revoked (`tokenRevoked`). One query,
 * by primary keys.
 */
export function findAccount(db: Database, { userId, ...token }: TokenRef) {
  return readWithRetry(() =>
    db
      .select({
        user: users,
        revoked: sql<number>`${tokenRevoked(token)}`,
      })
      .from(users)
      .where(eq(users.id, userId))
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

export const insertUser = (db: Database, row: NewUser) => db.insert(users).values(row).returning()

/** `token_version` moved on: every token issued before is refused from the next request on. */
export const nextTokenVersion: SQL = sql`${users.tokenVersion} + 1`

/**
 * Holds for a row whose change cannot leave zero active admins: it is not an
 * active admin, or another active admin exists. As part of the UPDATE or DELETE
 * itself it is checked and acted on atomically, so two admins demoting each
 * other at once cannot both succeed.
 */
const keepsAnActiveAdmin = or(
  ne(users.role, 'admin'),
  isNotNull(users.disabledAt),
  sql`exists (select 1 from ${users} as other where other.role = 'admin' and other.disabled_at is null and other.id != ${users.id})`,
)

/** `id`, and if the change could remove an active admin, `keepsAnActiveAdmin` too. */
const guardedTarget = (id: string, removesAdmin: boolean) =>
  removesAdmin ? and(eq(users.id, id), keepsAnActiveAdmin) : eq(users.id, id)

/**
 * Applies `set` to the account `id`, refused (no row returned) when `removesAdmin` and
 * it would leave no active admin.
 *
 * @example
 * db.batch([updateUser(db, id, { role: 'member', updatedAt: now }, { removesAdmin: true }), recordIfChanged(db, event)])
 */
export const updateUser = (
  db: Database,
  id: string,
  set: SQLiteUpdateSetSource<typeof users>,
  { removesAdmin = false } = {},
) => db.update(users).set(set).where(guardedTarget(id, removesAdmin)).returning()

/**
 * Deletes the account `id` unless it is the last active admin or the only owner of an
 * organisation (`organizationsOwnedAlone` tells which); returns its id if it went. Its other
 * memberships go with it, by the foreign key's cascade.
 */
export const deleteUser = (db: Database, id: string) =>
  db
    .delete(users)
    .where(and(guardedTarget(id, true), ownsNoOrganizationAlone))
    .returning({ id: users.id })

/** Replaces a hash made with older parameters, unless the password changed in the meantime; `updated_at` stays. */
export const rehashPassword = (db: Database, user: Pick<User, 'id' | 'passwordHash'>, passwordHash: string) =>
  db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))

/**
 * Which unique field a failed write collided with, or undefined for any other error. D1
 * names the index's column in its message; drizzle keeps D1's error as `cause`.
 */
export function uniqueConflict(err: unknown): 'username' | 'email' | undefined {
  const message = String((err as { cause?: unknown })?.cause ?? err)
  if (message.includes(`UNIQUE constraint failed: users.${users.usernameKey.name}`)) return 'username'
  if (message.includes(`UNIQUE constraint failed: users.${users.email.name}`)) return 'email'
  return undefined
}
