import type { Query } from 'drizzle-orm'
import { z } from 'zod'
import { inlineSql } from './inline-sql'
import { CliError } from './run-cli'
import { exitCode, runWrangler, spawnWrangler, wranglerFailure } from './wrangler'

/** The D1 database a command works on: the deployed one, or the local one (under `persistTo` if given). */
export type D1Target = { remote: true } | { remote: false; persistTo?: string }

const BINDING = 'DB'

const D1Results = z.array(z.object({ results: z.array(z.record(z.string(), z.unknown())) })).length(1)
const D1Failure = z.object({ error: z.object({ text: z.string() }) })

const targetArgs = (target: D1Target): string[] =>
  target.remote
    ? ['--remote']
    : ['--local', ...(target.persistTo === undefined ? [] : ['--persist-to', target.persistTo])]

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Applies pending migrations to the local database. wrangler does not ask for confirmation,
 * its stdin not being a terminal. It reports on the terminal unless `quiet`, which keeps its
 * output back unless it fails.
 */
export async function applyLocalMigrations(persistTo: string | undefined, { quiet = false } = {}): Promise<void> {
  const args = ['d1', 'migrations', 'apply', BINDING, ...targetArgs({ remote: false, persistTo })]
  if (quiet) {
    const result = await runWrangler(args)
    if (result.code !== 0) throw new CliError(`Could not apply local migrations: ${wranglerFailure(result)}`)
    return
  }
  const code = await exitCode(spawnWrangler(args, ['ignore', 'inherit', 'inherit']))
  if (code !== 0) throw new CliError(`Could not apply local migrations (wrangler exited with code ${code})`)
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
  const command = inlineSql(query.toSQL())
  const result = await runWrangler(['d1', 'execute', BINDING, ...targetArgs(target), '--json', '--command', command])
  const output = parseJson(result.stdout)
  const rows = D1Results.safeParse(output)
  if (result.code === 0 && rows.success) return rows.data[0].results
  const failure = D1Failure.safeParse(output)
  throw new CliError(failure.success ? failure.data.error.text : wranglerFailure(result))
}
