import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout } from 'node:timers/promises'
import { selectAnyUser } from '../src/data/users'
import { createUser, parseNewUser } from './lib/create-user'
import { type D1Target, d1Execute, migrateIfLocal } from './lib/database'
import { ensureDevVars } from './lib/dev-vars'
import { sqlBuilder } from './lib/inline-sql'
import { closeLocalD1 } from './lib/local-d1'
import { runCli } from './lib/run-cli'
import { checkStoredPeppers } from './lib/stored-peppers'
import { workerHashing } from './lib/worker-settings'
import { exitCode, spawnWrangler } from './lib/wrangler'

/** The value of `--NAME VALUE` or `--NAME=VALUE` among wrangler dev's arguments. */
function argValue(args: string[], name: string): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === `--${name}`) return args[i + 1]
    if (arg.startsWith(`--${name}=`)) return arg.slice(`--${name}=`.length)
  }
  return undefined
}

/** Resolves once the local Worker answers, or after a minute, or when wrangler exits. */
async function serving(port: string, wrangler: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && wrangler.exitCode === null) {
    try {
      await fetch(`http://localhost:${port}/`)
      return
    } catch {
      await setTimeout(500)
    }
  }
}

/** `lines` in a box, so that they stand out of wrangler's output. */
function boxed(lines: string[]): string {
  const width = Math.max(...lines.map((line) => line.length))
  const rule = '─'.repeat(width + 2)
  return [`┌${rule}┐`, ...lines.map((line) => `│ ${line.padEnd(width)} │`), `└${rule}┘`].join('\n')
}

/** Gives a fresh local database an admin to log in as; returns its random password, shown once. */
async function seedDemoAdmin(target: D1Target): Promise<string | undefined> {
  const [someone] = await d1Execute(target, selectAnyUser(sqlBuilder))
  if (someone) return undefined
  const password = randomBytes(18).toString('base64url')
  const input = parseNewUser({ username: 'admin', email: 'admin@example.com', password, role: 'admin' })
  await createUser(input, await workerHashing(target), target)
  return password
}

await runCli(async () => {
  const args = process.argv.slice(2)
  const vars = await ensureDevVars()
  const persistTo = argValue(args, 'persist-to')
  const target: D1Target = { remote: false, persistTo }
  await migrateIfLocal(target)
  console.log('Local database migrated')
  await checkStoredPeppers(target, vars)
  const password = await seedDemoAdmin(target)
  // wrangler dev opens the same database files next.
  await closeLocalD1()
  const wrangler = spawnWrangler(['dev', ...args], 'inherit')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => wrangler.kill(signal))
  }
  // After wrangler's banner and bindings, where a first run's reader looks, not above them.
  if (password) {
    await serving(argValue(args, 'port') ?? '8787', wrangler)
    console.log(boxed(['Demo admin (local database only)', 'username: admin', `password: ${password}`]))
  }
  return exitCode(wrangler)
})
