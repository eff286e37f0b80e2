import { readdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { projectRoot } from './project-root'

/** wrangler's table of applied migrations, so `wrangler d1 migrations apply --local` sees ours as applied. */
const MIGRATIONS_TABLE = 'd1_migrations'
const migrationsDir = resolve(projectRoot, 'migrations')

type LocalRuntime = { db: D1Database; dispose(): Promise<void> }

let opened: { persistTo: string | undefined; runtime: Promise<LocalRuntime> } | undefined

/** Runs the migrations `DB` has not recorded yet, each with its record in one batch, as wrangler does. */
async function applyMigrations(db: D1Database): Promise<void> {
  await db
    .prepare(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE}(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)`,
    )
    .run()
  const { results } = await db.prepare(`SELECT name FROM ${MIGRATIONS_TABLE}`).all<{ name: string }>()
  const applied = new Set(results.map((row) => row.name))
  const pending = (await readdir(migrationsDir)).filter((name) => name.endsWith('.sql') && !applied.has(name)).sort()
  for (const name of pending) {
    const sql = await readFile(resolve(migrationsDir, name), 'utf8')
    // drizzle-kit separates statements with this marker; a D1 prepared statement holds one.
    const statements = sql
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter((statement) => statement !== '')
    await db.batch([
      ...statements.map((statement) => db.prepare(statement)),
      db.prepare(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES (?)`).bind(name),
    ])
  }
}

/**
 * Opens the database as `wrangler d1 execute --local` does, with miniflare under the same id (the
 * binding's name, wrangler.toml giving no database_id) and the same path; importing wrangler
 * itself would take most of the command's time.
 */
async function open(persistTo: string | undefined): Promise<LocalRuntime> {
  const { Miniflare, convertV4MiniflareOptions } = await import('miniflare')
  // wrangler reads --persist-to from the working directory, its default from the project's.
  const state = persistTo === undefined ? resolve(projectRoot, '.wrangler/state') : resolve(persistTo)
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: '',
      resourcePersistencePath: resolve(state, 'v3'),
      d1Databases: { DB: 'DB' },
    }),
  )
  // miniflare declares its own copy of the workers types; the binding is the same D1 API.
  const db = (await miniflare.getD1Database('DB')) as unknown as D1Database
  await applyMigrations(db)
  return { db, dispose: () => miniflare.dispose() }
}

/**
 * The local `DB` database (under `persistTo` if given) as an in-process D1 binding, migrated;
 * the same storage `wrangler dev` and `wrangler d1 execute --local` use, without a wrangler process.
 */
export async function localD1(persistTo: string | undefined): Promise<D1Database> {
  if (opened !== undefined && opened.persistTo !== persistTo) await closeLocalD1()
  opened ??= { persistTo, runtime: open(persistTo) }
  return (await opened.runtime).db
}

/** Stops the local database's runtime, if one was started; the process cannot exit before. */
export async function closeLocalD1(): Promise<void> {
  const current = opened
  opened = undefined
  if (current !== undefined) await (await current.runtime).dispose()
}
