import { getTableColumns, inArray, type SQL, sql } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import { drizzle } from 'drizzle-orm/d1'
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import {
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

/** Drizzle over one D1 database: what every query builder in `data/` takes. */
export type Database = ReturnType<typeof drizzle>

/** Drizzle over `binding`, built per request (or per job): no connection is held. */
export const database = (binding: D1Database): Database => drizzle(binding)

export type Statement = BatchItem<'sqlite'>

/** Each named statement's result, under its name. */
export type BatchResults<S extends Record<string, Statement>> = { [K in keyof S]: S[K]['_']['result'] }

/**
 * Runs `statements` as one batch (one transaction), in the order written, and answers each one's
 * result under its name: adding a statement cannot shift what another line reads.
 *
 * @example
 * const { revoked } = await batchByName(db, { revoked: revokeFamily(db, family, now), event: recordIfChanged(db, event) })
 */
export async function batchByName<S extends Record<string, Statement>>(
  db: Database,
  statements: S,
): Promise<BatchResults<S>> {
  const names = Object.keys(statements)
  const results = await db.batch(Object.values(statements) as [Statement, ...Statement[]])
  return Object.fromEntries(names.map((name, i) => [name, results[i]])) as BatchResults<S>
}

/**
 * Reads no row of `table` but names each of its columns as `table.column`: unqualified, a
 * missing column in double quotes would be read by SQLite as a string literal, not refused.
 */
const everyColumnOf = (db: Database, table: SQLiteTable) =>
  db.run(sql`select ${sql.join(Object.values(getTableColumns(table)), sql`, `)} from ${table} limit 0`)

/**
 * One batch that fails when D1 is unreachable, and with `no such table` or `no such column`
 * when a migration is missing.
 */
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
  ])

/** Whether D1's error message says the database lacks part of the schema, rather than that D1 failed. */
export const isMissingSchema = (message: string) => /no such (table|column)/.test(message)

/**
 * Deletes at most `limit` rows of `table`, named by its primary key `key`, that `where`
 * selects: SQLite in D1 has no `DELETE … LIMIT`, and one statement must stay small.
 */
export const deleteSome = (db: Database, table: SQLiteTable, key: AnySQLiteColumn, where: SQL, limit: number) =>
  db.delete(table).where(inArray(key, db.select({ key }).from(table).where(where).limit(limit)))
