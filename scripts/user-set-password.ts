import { sql } from 'drizzle-orm'
import { hashPassword, newPasswordSchema } from '../src/auth/passwords'
import { users } from '../src/data/schema'
import { parseCommandLine, parseUsername, TARGET_USAGE } from './lib/command-line'
import { migrateIfLocal } from './lib/database'
import { readNewPassword } from './lib/read-password'
import { CliError, runCli } from './lib/run-cli'
import { disabledNote, findUser, noSuchUser, updateUser } from './lib/user-changes'
import { workerHashing } from './lib/worker-settings'

const USAGE = `usage: npm run user:set-password -- --username NAME ${TARGET_USAGE}`

await runCli(async () => {
  const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, { required: ['username'] })
  const username = parseUsername(values.username, usageError)
  const password = newPasswordSchema.safeParse(await readNewPassword())
  if (!password.success) throw new CliError(password.error.issues.map((issue) => issue.message).join('; '))
  const [hashing] = await Promise.all([workerHashing(target), migrateIfLocal(target)])
  const user = await findUser(target, username)
  const changed = await updateUser(
    target,
    user.id,
    // Bumping the version refuses every token issued before, as a password change through the API does.
    { passwordHash: await hashPassword(password.data, hashing), tokenVersion: sql`${users.tokenVersion} + 1` },
    { event: 'password_changed' },
  )
  if (!changed) throw noSuchUser(username)
  console.error(`Password changed for ${user.username}; their earlier tokens no longer work${disabledNote(user)}`)
  console.log(user.id)
  return 0
})
