import type { Context } from 'hono'
import type { AppEnv } from '../../app-env'
import { ApiError } from '../../http/errors'
import { type MemberChange, memberChangeAccess, ownersProtected } from '../../orgs/member-changes'
import type { OrgViewer } from '../../orgs/permissions'

/** 403 unless the caller may make `change` (null target: an invitee); returns whether owners are spared. */
export function authorize(c: Context<AppEnv>, targetUserId: string | null, change: MemberChange) {
  const caller = { ...c.var.orgScope.actor, orgExists: true }
  if (memberChangeAccess(caller, targetUserId, change) !== 'allowed') throw new ApiError('insufficient_permissions')
  return { ownersProtected: ownersProtected(caller, targetUserId, change) }
}

export const viewerOf = (c: Context<AppEnv>): OrgViewer => c.var.orgScope.actor
