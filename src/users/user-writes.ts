import { and, eq, isNotNull, ne, or, sql } from 'drizzle-orm'
import { users } from '../db/schema'
import { userErrors } from '../http/api-error'

/**
 * Holds for a row whose change cannot leave zero active admins: it is not an
 * active admin, or another active admin exists. As part of the UPDATE or DELETE
 * itself it is checked and acted on atomically, so two admins demoting each
 * other at once cannot both succeed.
 */
const keepsAnActiveAdmin = or(
  ne(users.role, 'admin'),
  isNotNull(users.disabledAt),
  sql`exists (select 1 from ${users} as other where other.role = 'admin' and other.disabled_at is null and other.id != ${users.id})`,
)

/** `id`, and if the change could remove an active admin, `keepsAnActiveAdmin` too. */
export const guardedTarget = (id: string, removesAdmin: boolean) =>
  removesAdmin ? and(eq(users.id, id), keepsAnActiveAdmin) : eq(users.id, id)

/**
 * The 409 for a write refused by a UNIQUE index, or the error itself. D1 names
 * the index's column in its message; drizzle keeps D1's error as `cause`.
 */
export function conflictOrRethrow(err: unknown): never {
  const message = String((err as { cause?: unknown })?.cause ?? err)
  if (message.includes('UNIQUE constraint failed: users.username_key')) throw userErrors.usernameTaken()
  if (message.includes('UNIQUE constraint failed: users.email')) throw userErrors.emailTaken()
  throw err
}
