import type { Role } from '../src/data/schema'
import { parseCommandLine, parseRole, parseUsername, TARGET_USAGE } from './lib/command-line'
import { migrateIfLocal } from './lib/database'
import { CliError, runCli } from './lib/run-cli'
import { disabledNote, findUser, updateUser } from './lib/user-changes'

const USAGE = `usage: npm run user:set-role -- --username NAME --role admin|member ${TARGET_USAGE}`

const withRole = (role: Role) => (role === 'admin' ? 'an admin' : 'a member')

await runCli(async () => {
  const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, {
    required: ['username', 'role'],
  })
  const username = parseUsername(values.username, usageError)
  const role = parseRole(values.role, usageError)
  await migrateIfLocal(target)
  const user = await findUser(target, username)
  if (user.role === role) {
    console.error(`${user.username} is already ${withRole(role)}; nothing changed`)
    console.log(user.id)
    return 0
  }
  const removesAdmin = role === 'member'
  if (!(await updateUser(target, user.id, { role }, { event: 'role_changed', removesAdmin }))) {
    // The guard refused, unless the account was deleted since: then findUser says so.
    await findUser(target, username)
    throw new CliError('Cannot remove the last admin')
  }
  console.error(`${user.username} is now ${withRole(role)}${disabledNote(user)}`)
  console.log(user.id)
  return 0
})
