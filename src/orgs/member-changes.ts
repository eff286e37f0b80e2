import type { AuditEventType, OrgRole } from '../data/schema'
import { type OrgAccess, type OrgCaller, orgAccess } from './permissions'

/** A change to one membership as a request asks for it, with the target's role before it where it has one. */
export type MemberChange =
  | { kind: 'add'; role: OrgRole }
  | { kind: 'set_role'; from: OrgRole; role: OrgRole }
  | { kind: 'remove'; from: OrgRole }

/**
 * Whether `caller` may make `change` to the membership of `targetUserId` (null for an account
 * that is not a member yet). Anyone may leave
 * (remove themselves); anything else needs `manage_members`, and only an owner (or a global
 * admin) may give the owner role, or change or remove an owner's membership. Whether the
 * organization keeps an owner is not decided here but in the write itself (`data/memberships.ts`).
 *
 * @example
 * memberChangeAccess(admin, otherId, { kind: 'add', role: 'owner' }) // 'forbidden'
 * memberChangeAccess(member, member.userId, { kind: 'remove', from: 'member' }) // 'allowed'
 */
export function memberChangeAccess(
  caller: OrgCaller & { userId: string },
  targetUserId: string | null,
  change: MemberChange,
): OrgAccess {
  if (change.kind === 'remove' && targetUserId === caller.userId && caller.orgRole !== null) return 'allowed'
  const access = orgAccess(caller, 'manage_members')
  if (access !== 'allowed' || caller.globalRole === 'admin') return access
  const givesOwner = change.kind !== 'remove' && change.role === 'owner'
  const takesOwner = change.kind !== 'add' && change.from === 'owner'
  return (givesOwner || takesOwner) && caller.orgRole !== 'owner' ? 'forbidden' : 'allowed'
}

/**
 * Whether the write of a `change` that `memberChangeAccess` allowed must leave owners'
 * memberships alone, checked in its statement: the caller may not touch one (neither an owner
 * nor a global admin, and not leaving), and the target may have been made an owner since.
 */
export const sparesOwners = (
  caller: OrgCaller & { userId: string },
  targetUserId: string | null,
  change: MemberChange,
): boolean =>
  !(change.kind === 'remove' && targetUserId === caller.userId) &&
  caller.globalRole !== 'admin' &&
  caller.orgRole !== 'owner'

const EVENTS = { add: 'member_added', set_role: 'member_role_changed', remove: 'member_removed' } as const

/**
 * The audit events `change` makes: none for a role set to what it already is, which the
 * caller then need not write at all.
 *
 * @example
 * memberChangeEvents({ kind: 'set_role', from: 'admin', role: 'admin' }) // []
 */
export function memberChangeEvents(change: MemberChange): AuditEventType[] {
  if (change.kind === 'set_role' && change.from === change.role) return []
  return [EVENTS[change.kind]]
}
