import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'

/** Drizzle over one D1 database: what every query builder in `data/` takes. */
export type Database = ReturnType<typeof drizzle>

/** Drizzle over `binding`, built per request (or per job): no connection is held. */
export const database = (binding: D1Database): Database => drizzle(binding)

/** The least query D1 can answer: whether the database is reachable. */
export const ping = (db: Database) => db.run(sql`select 1`)
