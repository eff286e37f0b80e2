import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { AuditEventType, Role, User, users } from '../data/schema'
import { nextTokenVersion } from '../data/users'
import { normalizeIdentifier } from '../lib/normalize'

/** What an admin may change about an account. */
type AccountPatch = { email?: string; role?: Role; disabled?: boolean }

/**
 * What applying `patch` to `current` writes, and what it means: the columns to set, whether
 * the change could remove an active admin (so the write must keep one), and the audit events
 * it makes (none for a field set to what it already is).
 *
 * @example
 * planAccountChange(user, { disabled: true }, now)
 * // { set: { disabledAt: now, tokenVersion: …, updatedAt: now }, removesAdmin: true, events: ['user_disabled'] }
 */
export function planAccountChange(current: User, patch: AccountPatch, now: Date) {
  const events: AuditEventType[] = []
  if (patch.role !== undefined && patch.role !== current.role) events.push('role_changed')
  if (patch.disabled === true && current.disabledAt === null) events.push('user_disabled')
  if (patch.email !== undefined || (patch.disabled === false && current.disabledAt !== null))
    events.push('user_updated')
  const set: SQLiteUpdateSetSource<typeof users> = {
    updatedAt: now,
    ...(patch.email !== undefined && { email: normalizeIdentifier(patch.email) }),
    ...(patch.role !== undefined && { role: patch.role }),
    ...(patch.disabled !== undefined && { disabledAt: patch.disabled ? (current.disabledAt ?? now) : null }),
    // Re-enabling must not bring back the tokens held when the account was disabled.
    ...(events.includes('user_disabled') && { tokenVersion: nextTokenVersion }),
  }
  return { set, removesAdmin: patch.role === 'member' || patch.disabled === true, events }
}
