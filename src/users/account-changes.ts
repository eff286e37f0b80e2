import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { AuditEventType, Role, User, users } from '../data/schema'
import { nextTokenVersion } from '../data/users'
import { normalizeIdentifier } from '../lib/normalize'

type AccountPatch = { email?: string; role?: Role; disabled?: boolean }

/** `removesAdmin` tells the write to keep an active admin; no event for a field set to its current value. */
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
