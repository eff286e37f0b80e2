import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { auditEvent, CLI_ORIGIN } from '../../src/audit/events'
import { recordIfChanged } from '../../src/data/audit-events'
import { type AuditEventType, roles, type users } from '../../src/data/schema'
import { selectAccountByUsername, updateUser as updateUserQuery } from '../../src/data/users'
import { type D1Target, d1Batch, d1Execute } from './database'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'

// wrangler returns rows keyed by column name, not by drizzle's field names.
const FoundUser = z
  .object({ id: z.string(), username: z.string(), role: z.enum(roles), disabled_at: z.number().nullable() })
  .transform(({ disabled_at, ...user }) => ({ ...user, disabled: disabled_at !== null }))

/** An account as the commands that change it need it. */
export type FoundUser = z.output<typeof FoundUser>

/** The end of a success message about `user`: a warning if the account is disabled. */
export const disabledNote = (user: FoundUser) =>
  user.disabled ? ' (the account is disabled: it still cannot log in)' : ''

/** The error for a username no account has. */
export const noSuchUser = (username: string) => new CliError(`no user named ${username}`)

/**
 * The account whose username matches `username` after normalization, as logging in
 * matches it; a `noSuchUser` error if there is none.
 *
 * @example
 * const user = await findUser({ remote: false }, 'Alice')
 * // { id: '0197…', username: 'alice', role: 'member', disabled: false }
 */
export async function findUser(target: D1Target, username: string): Promise<FoundUser> {
  const [row] = await d1Execute(target, selectAccountByUsername(sqlBuilder, username))
  if (row === undefined) throw noSuchUser(username)
  return FoundUser.parse(row)
}

/**
 * Applies `set` to the account `userId` and, only if that changed it, records an `event`
 * by the command line, in one batch: the change and its audit row are written together or
 * not at all. When `removesAdmin`, the update is refused if it would leave no active admin.
 * Resolves whether the account changed: it may have been deleted since it was looked up.
 *
 * @example
 * await updateUser({ remote: false }, user.id, { role: 'member' }, { event: 'role_changed', removesAdmin: true })
 */
export async function updateUser(
  target: D1Target,
  userId: string,
  set: SQLiteUpdateSetSource<typeof users>,
  { event, removesAdmin = false }: { event: AuditEventType; removesAdmin?: boolean },
): Promise<boolean> {
  const now = new Date()
  const [updated] = await d1Batch(target, [
    updateUserQuery(sqlBuilder, userId, { ...set, updatedAt: now }, { removesAdmin }),
    recordIfChanged(sqlBuilder, auditEvent(event, userId, CLI_ORIGIN, now)),
  ])
  return updated.length > 0
}
