import type { OrgRole, Role } from '../data/schema'

export const orgActions = [
  'view',
  'view_members',
  'update',
  'manage_members',
  'add_members',
  'view_audit',
  'delete',
  'manage_api_keys',
] as const
export type OrgAction = (typeof orgActions)[number]

const ALLOWED: Record<OrgAction, readonly OrgRole[]> = {
  view: ['owner', 'admin', 'member'],
  view_members: ['owner', 'admin', 'member'],
  update: ['owner', 'admin'],
  manage_members: ['owner', 'admin'],
  // Only a global admin adds members without an invitation.
  add_members: [],
  view_audit: ['owner', 'admin'],
  delete: ['owner'],
  manage_api_keys: ['owner', 'admin'],
}

export const may = (role: OrgRole, action: OrgAction): boolean => ALLOWED[action].includes(role)

/** From one query: the global role (null for an API key), whether the organization exists, and the role in it (null: not a member). */
export type OrgCaller = { globalRole: Role | null; orgExists: boolean; orgRole: OrgRole | null }

/** Who acts in an organization: a user with a token (a global admin need not be a member), or an API key with its role. */
export type OrgActor =
  | { userId: string; apiKeyId: null; globalRole: Role; orgRole: OrgRole | null }
  | { userId: null; apiKeyId: string; globalRole: null; orgRole: OrgRole }

/** `hidden` responds 404 `Organization not found`, `forbidden` 403 `Insufficient permissions`. */
export type OrgAccess = 'allowed' | 'hidden' | 'forbidden'

/** Non-members get `hidden`, as if the organization did not exist, so its existence cannot be probed. */
export function orgAccess(caller: OrgCaller, action: OrgAction): OrgAccess {
  if (!caller.orgExists) return 'hidden'
  if (caller.globalRole === 'admin') return 'allowed'
  if (caller.orgRole === null) return 'hidden'
  return may(caller.orgRole, action) ? 'allowed' : 'forbidden'
}

export type OrgViewer = Pick<OrgActor, 'userId' | 'globalRole' | 'orgRole'>

const managesOrg = (viewer: OrgViewer) =>
  viewer.globalRole === 'admin' || viewer.orgRole === 'owner' || viewer.orgRole === 'admin'

/** Others' emails only to managers, and (but to global admins) only of members who joined, not ones an operator added. */
export const seesEmailOf = (viewer: OrgViewer, member: { id: string; acceptedAt: Date | null }): boolean =>
  member.id === viewer.userId || (managesOrg(viewer) && (member.acceptedAt !== null || viewer.globalRole === 'admin'))

/** Other actors' IP and user agent only to global admins; an API key sees none. */
export const seesOriginOf = (viewer: OrgViewer, event: { actorUserId: string | null }): boolean =>
  viewer.globalRole === 'admin' || (viewer.userId !== null && event.actorUserId === viewer.userId)
