import type { OrgRole, Role } from '../data/schema'

/** What a request can do in an organization; the caller's role there decides which they may. */
export const orgActions = [
  'view',
  'view_members',
  'update',
  'manage_members',
  'add_members',
  'view_audit',
  'delete',
] as const
export type OrgAction = (typeof orgActions)[number]

const ALLOWED: Record<OrgAction, readonly OrgRole[]> = {
  view: ['owner', 'admin', 'member'],
  view_members: ['owner', 'admin', 'member'],
  update: ['owner', 'admin'],
  manage_members: ['owner', 'admin'],
  // Without an invitation: the operator's (a global admin) alone; everyone else invites.
  add_members: [],
  view_audit: ['owner', 'admin'],
  delete: ['owner'],
}

/**
 * Whether a member whose role is `role` may do `action` in their organization.
 *
 * @example
 * may('admin', 'update') // true
 * may('admin', 'delete') // false
 */
export const may = (role: OrgRole, action: OrgAction): boolean => ALLOWED[action].includes(role)

/**
 * The caller of an organization-scoped request, as its one query found them: their global
 * role, whether the organization exists, and their role in it (null: not a member).
 */
export type OrgCaller = { globalRole: Role; orgExists: boolean; orgRole: OrgRole | null }

/** `hidden` answers 404 `Organization not found`, `forbidden` 403 `Insufficient permissions`. */
export type OrgAccess = 'allowed' | 'hidden' | 'forbidden'

/**
 * Whether `caller` may do `action`. A global admin (the operator) may do anything in any
 * organization that exists. Anyone else who is not a member is told the organization does not
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

/** A reader of an organization's members or audit trail: their account, and their roles. */
export type OrgViewer = Pick<OrgCaller, 'globalRole' | 'orgRole'> & { userId: string }

const managesOrg = (viewer: OrgViewer) =>
  viewer.globalRole === 'admin' || viewer.orgRole === 'owner' || viewer.orgRole === 'admin'

/**
 * Whether `viewer` is shown the email of `member`: their own always; anyone else's only to
 * the organization's owners and admins (and global admins), and only of a member who chose to
 * belong (created it or accepted an invitation), not of one an operator added.
 *
 * @example
 * seesEmailOf({ userId: a, globalRole: 'member', orgRole: 'member' }, { id: b, acceptedAt: date }) // false
 */
export const seesEmailOf = (viewer: OrgViewer, member: { id: string; acceptedAt: Date | null }): boolean =>
  member.id === viewer.userId || (managesOrg(viewer) && (member.acceptedAt !== null || viewer.globalRole === 'admin'))

/**
 * Whether `viewer` is shown the IP address and user agent of an event in an organization's
 * audit trail: only of their own requests, unless they are a global admin, who reads the global
 * trail anyway.
 */
export const seesOriginOf = (viewer: OrgViewer, event: { actorUserId: string | null }): boolean =>
  viewer.globalRole === 'admin' || event.actorUserId === viewer.userId
