import type { Query } from 'drizzle-orm'
import { z } from 'zod'
import { inlineSql } from './inline-sql'
import { localD1 } from './local-d1'
import { CliError } from './run-cli'
import { runWrangler, wranglerFailure } from './wrangler'

/** The D1 database a command works on: the deployed one, or the local one (under `persistTo` if given). */
export type D1Target = { remote: true } | { remote: false; persistTo?: string }

const BINDING = 'DB'

const D1Results = z.array(z.object({ results: z.array(z.record(z.string(), z.unknown())) }))
const D1Failure = z.object({ error: z.object({ text: z.string() }) })

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Brings the local database up to the schema the commands write, quietly; the deployed
 * one is left alone, its migrations being a deliberate `npm run db:migrate:remote`.
 */
export const migrateIfLocal = async (target: D1Target): Promise<void> => {
  // Opening the local database in process applies its pending migrations.
  if (!target.remote) await localD1(target.persistTo)
}

/** Runs `queries` as one batch on the local database, in this process; rows keyed by column name. */
async function localBatch(persistTo: string | undefined, queries: readonly { toSQL(): Query }[]) {
  const db = await localD1(persistTo)
  const statements = queries.map((query) => {
    const { sql, params } = query.toSQL()
    return db.prepare(sql).bind(...params)
  })
  try {
    const results = await db.batch<Record<string, unknown>>(statements)
    return results.map((result) => result.results)
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error))
  }
}

/**
 * Runs drizzle `queries` on the `DB` database as one D1 batch, a transaction: they run in order
 * and all take effect, or none does. Returns each one's rows, keyed by column name. The local
 * database is reached in process; the deployed one through one `wrangler d1 execute --json` call.
 *
 * @example
 * const [updated, recorded] = await d1Batch({ remote: false }, [update.returning({ id: users.id }), insert])
 */
export async function d1Batch(
  target: D1Target,
  queries: readonly { toSQL(): Query }[],
): Promise<Record<string, unknown>[][]> {
  if (!target.remote) return localBatch(target.persistTo, queries)
  const command = queries.map((query) => inlineSql(query.toSQL())).join(';\n')
  const result = await runWrangler(['d1', 'execute', BINDING, '--remote', '--json', '--command', command])
  const output = parseJson(result.stdout)
  const statements = D1Results.length(queries.length).safeParse(output)
  if (result.code === 0 && statements.success) return statements.data.map((statement) => statement.results)
  const failure = D1Failure.safeParse(output)
  throw new CliError(failure.success ? failure.data.error.text : wranglerFailure(result))
}

/**
 * Runs one drizzle query on the `DB` database with `wrangler d1 execute --json`
 * and returns its rows, keyed by column name.
 *
 * @example
 * const rows = await d1Execute({ remote: false }, sqlBuilder.select({ id: users.id }).from(users).limit(1))
 * // [{ id: '0197…' }] or []
 */
export async function d1Execute(target: D1Target, query: { toSQL(): Query }): Promise<Record<string, unknown>[]> {
  const [rows] = await d1Batch(target, [query])
  return rows
}
