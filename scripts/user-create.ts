import { parseCommandLine, parseRole, TARGET_USAGE } from './lib/command-line'
import { createUser, parseNewUser } from './lib/create-user'
import { migrateIfLocal } from './lib/database'
import { readNewPassword } from './lib/read-password'
import { runCli } from './lib/run-cli'
import { workerHashing } from './lib/worker-settings'

const USAGE = `usage: npm run user:create -- --username NAME --email EMAIL [--role admin|member] ${TARGET_USAGE}`

await runCli(async () => {
  const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, {
    required: ['username', 'email'],
    optional: ['role'],
  })
  const role = parseRole(values.role ?? 'member', usageError)
  const input = parseNewUser({ ...values, role, password: await readNewPassword() })
  // Loading wrangler's config in this process takes as long as the migrations do in theirs.
  const [hashing] = await Promise.all([workerHashing(target), migrateIfLocal(target)])
  const user = await createUser(input, hashing, target)
  console.error(`Created user ${user.username} (${user.role}) in the ${target.remote ? 'remote' : 'local'} database`)
  console.log(user.id)
  return 0
})
