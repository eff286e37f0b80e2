import { randomBytes } from 'node:crypto'
import { selectAnyUser } from '../src/data/users'
import { createUser, parseNewUser } from './lib/create-user'
import { ensureDevVars } from './lib/dev-vars'
import { sqlBuilder } from './lib/inline-sql'
import { closeLocalD1 } from './lib/local-d1'
import { runCli } from './lib/run-cli'
import { workerHashing } from './lib/worker-settings'
import { exitCode, spawnWrangler } from './lib/wrangler'
import { applyLocalMigrations, type D1Target, d1Execute } from './lib/wrangler-d1'

/** The value of `--persist-to DIR` or `--persist-to=DIR` among wrangler dev's arguments. */
function persistToArg(args: string[]): string | undefined {
  for (const [i, arg] of args.entries()) {
    if (arg === '--persist-to') return args[i + 1]
    if (arg.startsWith('--persist-to=')) return arg.slice('--persist-to='.length)
  }
  return undefined
}

/** Gives a fresh local database an admin to log in as, with a random password printed once. */
async function seedDemoAdmin(target: D1Target): Promise<void> {
  const [someone] = await d1Execute(target, selectAnyUser(sqlBuilder))
  if (someone) {
    console.log('The local database already has users: no demo admin created')
    return
  }
  const password = randomBytes(18).toString('base64url')
  const input = parseNewUser({ username: 'admin', email: 'admin@example.com', password, role: 'admin' })
  await createUser(input, await workerHashing(target), target)
  console.log(`Demo admin created (local database only): username admin, password ${password}`)
}

await runCli(async () => {
  const args = process.argv.slice(2)
  await ensureDevVars()
  const persistTo = persistToArg(args)
  await applyLocalMigrations(persistTo)
  await seedDemoAdmin({ remote: false, persistTo })
  // wrangler dev opens the same database files next.
  await closeLocalD1()
  const wrangler = spawnWrangler(['dev', ...args], 'inherit')
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => wrangler.kill(signal))
  }
  return exitCode(wrangler)
})
