import type { OrgRole, Role } from '../data/schema'

/** What a request can do in an organisation; the caller's role there decides which they may. */
export const orgActions = ['view', 'view_members', 'update', 'manage_members', 'view_audit', 'delete'] as const
export type OrgAction = (typeof orgActions)[number]

const ALLOWED: Record<OrgAction, readonly OrgRole[]> = {
  view: ['owner', 'admin', 'member'],
  view_members: ['owner', 'admin', 'member'],
  update: ['owner', 'admin'],
  manage_members: ['owner', 'admin'],
  view_audit: ['owner', 'admin'],
  delete: ['owner'],
}

/**
 * Whether a member whose role is `role` may do `action` in their organisation.
 *
 * @example
 * may('admin', 'update') // true
 * may('admin', 'delete') // false
 */
export const may = (role: OrgRole, action: OrgAction): boolean => ALLOWED[action].includes(role)

/**
 * The caller of an organisation-scoped request, as its one query found them: their global
 * role, whether the organisation exists, and their role in it (null: not a member).
 */
export type OrgCaller = { globalRole: Role; orgExists: boolean; orgRole: OrgRole | null }

/** `hidden` answers 404 `Organization not found`, `forbidden` 403 `Insufficient permissions`. */
export type OrgAccess = 'allowed' | 'hidden' | 'forbidden'

/**
 * Whether `caller` may do `action`. A global admin (the operator) may do anything in any
 * organisation that exists. Anyone else who is not a member is told the organisation does not
 * exist, as they would be if it did not: its existence is not theirs to learn.
 *
 * @example
 * orgAccess({ globalRole: 'member', orgExists: true, orgRole: null }, 'view') // 'hidden'
 * orgAccess({ globalRole: 'member', orgExists: true, orgRole: 'member' }, 'update') // 'forbidden'
 */
export function orgAccess(caller: OrgCaller, action: OrgAction): OrgAccess {
  if (!caller.orgExists) return 'hidden'
  if (caller.globalRole === 'admin') return 'allowed'
  if (caller.orgRole === null) return 'hidden'
  return may(caller.orgRole, action) ? 'allowed' : 'forbidden'
}
