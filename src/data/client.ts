import { getTableColumns, inArray, type SQL, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { drizzle } from 'drizzle-orm/d1'
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import {
  apiKeys,
  auditEvents,
  invitations,
  loginThrottles,
  memberships,
  organizations,
  refreshFamilies,
  revokedTokens,
  trustedDevices,
  users,
} from './schema'

export type Database = ReturnType<typeof drizzle>

/**
 * Queries in one D1 session. drizzle-orm's type names only `D1Database`, but its driver calls only `prepare`
 * and `batch` (drizzle-orm/d1/session.js), which a session has.
 */
export const database = (session: D1DatabaseSession): Database => drizzle(session as unknown as D1Database)

export type Statement = BatchItem<'sqlite'>

export type BatchResults<S extends Record<string, Statement>> = { [K in keyof S]: S[K]['_']['result'] }

/** One batch (one transaction); each result under its statement's name, so adding a statement shifts nothing. */
export async function batchByName<S extends Record<string, Statement>>(
  db: Database,
  statements: S,
): Promise<BatchResults<S>> {
  const names = Object.keys(statements)
  const results = await db.batch(Object.values(statements) as [Statement, ...Statement[]])
  return Object.fromEntries(names.map((name, i) => [name, results[i]])) as BatchResults<S>
}

/** Qualified names: SQLite reads a missing double-quoted column as a string literal instead of failing. */
const everyColumnOf = (db: Database, table: SQLiteTable) =>
  db.run(sql`select ${sql.join(Object.values(getTableColumns(table)), sql`, `)} from ${table} limit 0`)

/** Fails when D1 is unreachable, or with `no such table` or `no such column` when a migration is missing. */
export const checkSchema = (db: Database) =>
  db.batch([
    everyColumnOf(db, users),
    everyColumnOf(db, revokedTokens),
    everyColumnOf(db, loginThrottles),
    everyColumnOf(db, auditEvents),
    everyColumnOf(db, refreshFamilies),
    everyColumnOf(db, organizations),
    everyColumnOf(db, memberships),
    everyColumnOf(db, invitations),
    everyColumnOf(db, trustedDevices),
    everyColumnOf(db, apiKeys),
  ])

export const isMissingSchema = (message: string) => /no such (table|column)/.test(message)

/** D1 has no `DELETE … LIMIT`, and one statement must stay small. */
export const deleteSome = (db: Database, table: SQLiteTable, key: AnySQLiteColumn, where: SQL, limit: number) =>
  db.delete(table).where(inArray(key, db.select({ key }).from(table).where(where).limit(limit)))
