import { parseArgs } from 'node:util'
import { type Role, roles } from '../src/db/schema'
import { createUser, parseNewUser } from './lib/create-user'
import { readNewPassword } from './lib/read-password'
import { CliError, runCli } from './lib/run-cli'
import { workerPbkdf2Iterations } from './lib/worker-settings'
import { applyLocalMigrations, type D1Target } from './lib/wrangler-d1'

const USAGE =
  'usage: npm run user:create -- --username NAME --email EMAIL [--role admin|member] [--remote | --persist-to DIR]'

const usageError = (problem: string) => new CliError(`${problem}; ${USAGE}`, 2)

const isRole = (value: string): value is Role => (roles as readonly string[]).includes(value)

const parse = (args: string[]) =>
  parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string', default: 'member' },
      remote: { type: 'boolean', default: false },
      'persist-to': { type: 'string' },
    },
  })

function parseCommandLine(args: string[]) {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(args).values
  } catch (error) {
    // Node's messages go on to explain `--`; the first sentence says what is wrong.
    throw usageError(error instanceof Error ? error.message.split(/\.\s/)[0] : String(error))
  }
  const { username, email, role, remote, 'persist-to': persistTo } = values
  if (username === undefined) throw usageError('--username is required')
  if (email === undefined) throw usageError('--email is required')
  if (!isRole(role)) throw usageError(`--role must be ${roles.join(' or ')}`)
  if (remote && persistTo !== undefined) throw usageError('--persist-to is for the local database only')
  const target: D1Target = remote ? { remote: true } : { remote: false, persistTo }
  return { username, email, role, target }
}

await runCli(async () => {
  const { target, ...fields } = parseCommandLine(process.argv.slice(2))
  const input = parseNewUser({ ...fields, password: await readNewPassword() })
  // Loading wrangler's config in this process takes as long as the migrations do in theirs.
  const [iterations] = await Promise.all([
    workerPbkdf2Iterations(),
    target.remote ? undefined : applyLocalMigrations(target.persistTo, { quiet: true }),
  ])
  const user = await createUser(input, iterations, target)
  console.error(`Created user ${user.username} (${user.role}) in the ${target.remote ? 'remote' : 'local'} database`)
  console.log(user.id)
  return 0
})
