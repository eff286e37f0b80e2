import type { Query } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'

/** Drizzle for writing SQL only (`.toSQL()`): wrangler runs the statements, so no connection is needed. */
export const sqlBuilder = drizzle({} as D1Database)

/** A bound parameter spelled as an SQLite literal; our queries bind only finite numbers, strings and null. */
export function sqlLiteral(value: unknown): string {
  if (value === null) return 'NULL'
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`
  throw new TypeError(`Cannot write ${String(value)} (${typeof value}) as an SQL literal`)
}

/**
 * One self-contained statement from a drizzle query, each `?` replaced by its parameter,
 * for `wrangler d1 execute --command`, which takes no parameters.
 *
 * @example
 * inlineSql(sqlBuilder.select().from(users).where(eq(users.email, "o'hara@example.com")).toSQL())
 * // select ... from "users" where "users"."email" = 'o''hara@example.com'
 */
export function inlineSql({ sql, params }: Query): string {
  let next = 0
  // Drizzle quotes identifiers and binds every value, so each `?` in its SQL is a placeholder.
  const statement = sql.replace(/\?/g, () => sqlLiteral(params[next++]))
  if (next !== params.length) throw new Error(`${params.length} parameters for ${next} placeholders`)
  return statement
}
