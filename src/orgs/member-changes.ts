import type { AuditEventType, OrgRole } from '../data/schema'
import { type OrgAccess, type OrgCaller, orgAccess } from './permissions'

export type MemberChange =
  | { kind: 'add'; role: OrgRole }
  | { kind: 'set_role'; from: OrgRole; role: OrgRole }
  | { kind: 'remove'; from: OrgRole }

/** A member removing themselves; an API key is no member. */
const leaves = (caller: { userId: string | null }, targetUserId: string | null) =>
  caller.userId !== null && targetUserId === caller.userId

/** Anyone may leave; granting the owner role or changing an owner's needs an owner or a global admin. */
export function memberChangeAccess(
  caller: OrgCaller & { userId: string | null },
  targetUserId: string | null,
  change: MemberChange,
): OrgAccess {
  if (change.kind === 'remove' && leaves(caller, targetUserId) && caller.orgRole !== null) return 'allowed'
  const access = orgAccess(caller, 'manage_members')
  if (access !== 'allowed' || caller.globalRole === 'admin') return access
  const givesOwner = change.kind !== 'remove' && change.role === 'owner'
  const takesOwner = change.kind !== 'add' && change.from === 'owner'
  return (givesOwner || takesOwner) && caller.orgRole !== 'owner' ? 'forbidden' : 'allowed'
}

/** Re-checked in the statement: the target may have been made an owner since the access check. */
export const ownersProtected = (
  caller: OrgCaller & { userId: string | null },
  targetUserId: string | null,
  change: MemberChange,
): boolean =>
  !(change.kind === 'remove' && leaves(caller, targetUserId)) &&
  caller.globalRole !== 'admin' &&
  caller.orgRole !== 'owner'

const EVENTS = { add: 'member_added', set_role: 'member_role_changed', remove: 'member_removed' } as const

/** None for a role set to what it already is, so the caller can skip the write. */
export function memberChangeEvents(change: MemberChange): AuditEventType[] {
  if (change.kind === 'set_role' && change.from === change.role) return []
  return [EVENTS[change.kind]]
}
