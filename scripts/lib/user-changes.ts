import { eq } from 'drizzle-orm'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { authEvent, type EventOrigin, recordIfChanged } from '../../src/audit/auth-event'
import { type AuthEventType, roles, users } from '../../src/db/schema'
import { normalizeIdentifier } from '../../src/lib/normalize'
import { guardedTarget } from '../../src/users/user-writes'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'
import { type D1Target, d1Batch, d1Execute } from './wrangler-d1'

/** Events written by these commands: nobody logged in acted, from no address. */
export const CLI_ORIGIN: EventOrigin = { actorUserId: null, ip: null, userAgent: 'orgstack-cli' }

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
 * The account whose username matches `username` after normalisation, as logging in
 * matches it; a `noSuchUser` error if there is none.
 *
 * @example
 * const user = await findUser({ remote: false }, 'Alice')
 * // { id: '0197…', username: 'alice', role: 'member', disabled: false }
 */
export async function findUser(target: D1Target, username: string): Promise<FoundUser> {
  const [row] = await d1Execute(
    target,
    sqlBuilder
      .select({ id: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.usernameKey, normalizeIdentifier(username))),
  )
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
  { event, removesAdmin = false }: { event: AuthEventType; removesAdmin?: boolean },
): Promise<boolean> {
  const now = new Date()
  const [updated] = await d1Batch(target, [
    sqlBuilder
      .update(users)
      .set({ ...set, updatedAt: now })
      .where(guardedTarget(userId, removesAdmin))
      .returning({ id: users.id }),
    recordIfChanged(sqlBuilder, authEvent(event, userId, CLI_ORIGIN, now)),
  ])
  return updated.length > 0
}
