import { inArray, type SQL, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import type { AnySQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'

/** Drizzle over one D1 database: what every query builder in `data/` takes. */
export type Database = ReturnType<typeof drizzle>

/** Drizzle over `binding`, built per request (or per job): no connection is held. */
export const database = (binding: D1Database): Database => drizzle(binding)

/** The least query D1 can answer: whether the database is reachable. */
export const ping = (db: Database) => db.run(sql`select 1`)

/**
 * Deletes at most `limit` rows of `table`, named by its primary key `key`, that `where`
 * selects: SQLite in D1 has no `DELETE … LIMIT`, and one statement must stay small.
 */
export const deleteSome = (db: Database, table: SQLiteTable, key: AnySQLiteColumn, where: SQL, limit: number) =>
  db.delete(table).where(inArray(key, db.select({ key }).from(table).where(where).limit(limit)))
