import { auditEvent, CLI_ORIGIN } from '../../src/audit/events'
import type { Hashing } from '../../src/auth/passwords'
import { insertEvents } from '../../src/data/audit-events'
import { bindInvitations } from '../../src/data/invitations'
import { type NewUser, users } from '../../src/data/schema'
import { insertUser, selectUsersHolding, uniqueConflict } from '../../src/data/users'
import { buildUser, type NewUserInput, newUserSchema } from '../../src/users/new-user'
import { type D1Target, d1Batch, d1Execute } from './database'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'

/** Checks a new account's fields with the API's rules; the error names every problem. */
export function parseNewUser(fields: Record<string, unknown>): NewUserInput {
  const result = newUserSchema.safeParse(fields)
  if (result.success) return result.data
  throw new CliError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '))
}

const takenUsername = (input: NewUserInput) => new CliError(`username ${input.username} is already taken`)
const takenEmail = (row: NewUser) => new CliError(`email ${row.email} is already registered`)

/**
 * Adds a user to the `target` database as the API would: same schema,
 * same normalized keys, a hash made as the Worker makes it (`hashing`), the invitations waiting
 * for its username or email given to it. Refuses a taken
 * username or email up front; the UNIQUE indexes catch any insert that races the check.
 *
 * @example
 * const input = parseNewUser({ username: 'alice', email: 'alice@example.com', password, role: 'member' })
 * const user = await createUser(input, await workerHashing({ remote: false }), { remote: false })
 */
export async function createUser(input: NewUserInput, hashing: Hashing, target: D1Target): Promise<NewUser> {
  const row = await buildUser(input, hashing)
  const clashes = await d1Execute(target, selectUsersHolding(sqlBuilder, row))
  // wrangler returns rows keyed by column name, not by drizzle's field names.
  if (clashes.some((clash) => clash[users.usernameKey.name] === row.usernameKey)) throw takenUsername(input)
  if (clashes.length > 0) throw takenEmail(row)
  try {
    await d1Batch(target, [
      insertUser(sqlBuilder, row),
      insertEvents(sqlBuilder, [auditEvent('user_created', row.id, CLI_ORIGIN, row.createdAt)]),
      bindInvitations(sqlBuilder, row),
    ])
  } catch (error) {
    const field = uniqueConflict(error)
    if (field === 'username') throw takenUsername(input)
    if (field === 'email') throw takenEmail(row)
    throw error
  }
  return row
}
