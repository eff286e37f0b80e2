import { and, eq, getTableColumns, gt, isNotNull, ne, or, type SQL, sql } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { keysetPage } from '../lib/keyset-page'
import { normalizeIdentifier } from '../lib/normalize'
import type { Database } from './client'
import { readWithRetry } from './d1-faults'
import { ownsNoOrganizationAlone } from './memberships'
import { familyRevoked } from './refresh-tokens'
import { type NewUser, revokedTokens, type User, users } from './schema'

export function selectUserByLogin(db: Database, login: string) {
  const key = normalizeIdentifier(login)
  return db
    .select()
    .from(users)
    .where(or(eq(users.usernameKey, key), eq(users.email, key)))
    .limit(1)
}

/** By username, email or id, which never overlap: ids are 36 characters, usernames at most 32, only emails have `@`. */
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

/** What a new account would clash with. */
export const selectUsersHolding = (db: Database, { usernameKey, email }: Pick<NewUser, 'usernameKey' | 'email'>) =>
  db
    .select({ usernameKey: users.usernameKey, email: users.email })
    .from(users)
    .where(or(eq(users.usernameKey, usernameKey), eq(users.email, email)))

export const selectAccountByUsername = (db: Database, username: string) =>
  db
    .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.usernameKey, normalizeIdentifier(username)))

export const selectAnyUser = (db: Database) => db.select({ id: users.id }).from(users).limit(1)

/** A real hash's parameters for an unknown user's dummy check (docs/security.md, "Passwords"); a seek by rowid. */
export function selectPasswordHashBySeed(db: Database, seed: number) {
  return db
    .select({ passwordHash: users.passwordHash })
    .from(users)
    .where(sql`rowid > ${seed} % (select max(rowid) from ${users})`)
    .orderBy(sql`rowid`)
    .limit(1)
}

const selectUserById = (db: Database, id: string) => db.select().from(users).where(eq(users.id, id))

export const findUserById = (db: Database, id: string) => readWithRetry(() => selectUserById(db, id).get())

/** A protected request's token: its `sub`, `jti` and, if any, `fam`. */
export type TokenRef = { userId: string; jti: string; familyId?: string }

/** Logged out itself, or its refresh token family revoked. */
export function tokenRevoked({ jti, familyId }: Omit<TokenRef, 'userId'>) {
  const loggedOut = sql`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${jti})`
  return familyId === undefined ? loggedOut : sql`${loggedOut} or ${familyRevoked(familyId)}`
}

/** Every column of `users` but the password hash. */
export const { passwordHash: _passwordHash, ...accountColumns } = getTableColumns(users)

export function findAccount(db: Database, { userId, ...token }: TokenRef) {
  return readWithRetry(() =>
    db
      .select({
        user: accountColumns,
        revoked: sql<number>`${tokenRevoked(token)}`,
      })
      .from(users)
      .where(eq(users.id, userId))
      .get(),
  )
}

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

/** Refuses every token issued before. */
export const nextTokenVersion: SQL = sql`${users.tokenVersion} + 1`

/** Checked inside the UPDATE or DELETE, so two admins demoting each other at once cannot both succeed. */
const keepsAnActiveAdmin = or(
  ne(users.role, 'admin'),
  isNotNull(users.disabledAt),
  sql`exists (select 1 from ${users} as other where other.role = 'admin' and other.disabled_at is null and other.id != ${users.id})`,
)

const guardedTarget = (id: string, removesAdmin: boolean) =>
  removesAdmin ? and(eq(users.id, id), keepsAnActiveAdmin) : eq(users.id, id)

/** No row returned when `removesAdmin` and it would leave no active admin. */
export const updateUser = (
  db: Database,
  id: string,
  set: SQLiteUpdateSetSource<typeof users>,
  { removesAdmin = false } = {},
) => db.update(users).set(set).where(guardedTarget(id, removesAdmin)).returning()

/** No row returned for the last active admin or an organization's only owner; other memberships cascade. */
export const deleteUser = (db: Database, id: string) =>
  db
    .delete(users)
    .where(and(guardedTarget(id, true), ownsNoOrganizationAlone))
    .returning({ id: users.id })

/** Skipped if the password changed meanwhile; `updated_at` stays. */
export const rehashPassword = (db: Database, user: Pick<User, 'id' | 'passwordHash'>, passwordHash: string) =>
  db
    .update(users)
    .set({ passwordHash })
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))

/** D1 names the index's column in its message; drizzle keeps D1's error as `cause`. */
export function uniqueConflict(err: unknown): 'username' | 'email' | undefined {
  const message = String((err as { cause?: unknown })?.cause ?? err)
  if (message.includes(`UNIQUE constraint failed: users.${users.usernameKey.name}`)) return 'username'
  if (message.includes(`UNIQUE constraint failed: users.${users.email.name}`)) return 'email'
  return undefined
}
