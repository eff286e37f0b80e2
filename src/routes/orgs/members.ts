import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../app-env'
import { orgEvent } from '../../audit/events'
import type { Database } from '../../data/client'
import { consumeInvitations } from '../../data/invitations'
import { addMember, findMembership, listMembers, removeMember, setMemberRole } from '../../data/memberships'
import { findOrganization } from '../../data/organizations'
import { findUserByReference } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { inOrg } from '../../http/guards'
import { CLOSED_QUERY, jsonBody, jsonResponse, pageQuery } from '../../http/openapi'
import { orgOriginOf, originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { memberChangeEvents } from '../../orgs/member-changes'
import { createRouter } from '../create-router'
import { authorize, viewerOf } from './authorize'
import {
  MEMBER_EXAMPLE,
  MemberPageSchema,
  MemberParamsSchema,
  MemberRoleSchema,
  memberResponse,
  NewMemberSchema,
  OrgParamsSchema,
  toMember,
} from './schemas'

const list = apiRoute(inOrg('view_members', { apiKeys: true }), {
  method: 'get',
  path: '/{orgId}/members',
  operationId: 'listMembers',
  tags: ['members'],
  summary: "An organization's members, oldest account first (its members)",
  description: CLOSED_QUERY,
  request: { params: OrgParamsSchema, query: z.strictObject(pageQuery(20)) },
  responses: {
    200: jsonResponse('A page of members', MemberPageSchema, { members: [MEMBER_EXAMPLE], nextCursor: null }),
  },
})

const add = apiRoute(inOrg('add_members'), {
  method: 'post',
  path: '/{orgId}/members',
  operationId: 'addMember',
  tags: ['members'],
  summary: 'Add an existing account without an invitation (global admins only; everyone else invites)',
  description:
    'For operators bootstrapping an organization. Owners and admins get 403: they invite (`POST /api/orgs/{orgId}/invitations`), and only the person invited can accept.',
  request: { params: OrgParamsSchema, body: jsonBody(NewMemberSchema, { user: 'alice', role: 'member' }) },
  responses: { 201: memberResponse('The new member') },
  errors: ['user_not_found', 'already_member'],
})

const changeRole = apiRoute(inOrg('manage_members', { apiKeys: true }), {
  method: 'patch',
  path: '/{orgId}/members/{userId}',
  operationId: 'changeMemberRole',
  tags: ['members'],
  summary: "Change a member's role (its owners and admins; only an owner gives or takes the owner role)",
  request: { params: MemberParamsSchema, body: jsonBody(MemberRoleSchema, { role: 'admin' }) },
  responses: { 200: memberResponse('The member, changed', { ...MEMBER_EXAMPLE, role: 'admin' }) },
  errors: ['member_not_found', 'last_owner'],
})

const remove = apiRoute(inOrg('view', { apiKeys: true }), {
  method: 'delete',
  path: '/{orgId}/members/{userId}',
  operationId: 'removeMember',
  tags: ['members'],
  summary: 'Remove a member (its owners and admins; only an owner removes an owner); anyone may leave',
  request: { params: MemberParamsSchema },
  responses: { 204: { description: 'Removed' } },
  // The guard admits every member (anyone may leave); the handler decides the 403.
  errors: ['insufficient_permissions', 'member_not_found', 'last_owner'],
})

/** Why the guarded write changed nothing: the member left, is an owner `ownersProtected` spared, or is the last owner. */
async function whyUnchanged(
  db: Database,
  orgId: string,
  userId: string,
  { ownersProtected }: { ownersProtected: boolean },
) {
  const membership = await findMembership(db, orgId, userId)
  if (!membership) return new ApiError('member_not_found')
  return new ApiError(ownersProtected && membership.role === 'owner' ? 'insufficient_permissions' : 'last_owner')
}

function namedMember(c: Context<AppEnv>) {
  const { member } = c.var.orgScope
  if (!member) throw new ApiError('member_not_found')
  return member
}

export const membersRouter = createRouter()
  .openapi(list, async (c) => {
    const { page, nextCursor } = await listMembers(c.var.db, { orgId: c.var.orgScope.org.id, ...c.req.valid('query') })
    const viewer = viewerOf(c)
    return c.json({ members: page.map((member) => toMember(member, viewer)), nextCursor }, 200)
  })
  .openapi(add, async (c) => {
    const { db, user: caller, orgScope } = c.var
    const { user: reference, role } = c.req.valid('json')
    const user = await findUserByReference(db, reference)
    if (!user) throw new ApiError('user_not_found')
    const now = new Date()
    const orgId = orgScope.org.id
    const { changed: added } = await writeChange(c, {
      change: addMember(db, { orgId, userId: user.id, role, now, accepted: false }),
      events: [orgEvent('member_added', orgId, user.id, originOf(c, caller.id), now)],
      after: { invitations: consumeInvitations(db, orgId, user.id) },
      unchanged: async () => new ApiError((await findOrganization(db, orgId)) ? 'user_not_found' : 'org_not_found'),
    })
    return c.json(toMember({ ...user, role, joinedAt: added.createdAt, acceptedAt: null }, viewerOf(c)), 201)
  })
  .openapi(changeRole, async (c) => {
    const { db, orgScope } = c.var
    const member = namedMember(c)
    const change = { kind: 'set_role', from: member.role, role: c.req.valid('json').role } as const
    const protection = authorize(c, member.id, change)
    const now = new Date()
    const events = memberChangeEvents(change).map((type) =>
      orgEvent(type, orgScope.org.id, member.id, orgOriginOf(c), now),
    )
    if (events.length === 0) return c.json(toMember(member, viewerOf(c)), 200)
    const { changed } = await writeChange(c, {
      change: setMemberRole(db, { orgId: orgScope.org.id, userId: member.id, role: change.role, now, ...protection }),
      events,
      unchanged: () => whyUnchanged(db, orgScope.org.id, member.id, protection),
    })
    return c.json(toMember({ ...member, role: changed.role }, viewerOf(c)), 200)
  })
  .openapi(remove, async (c) => {
    const { db, orgScope } = c.var
    const member = namedMember(c)
    const protection = authorize(c, member.id, { kind: 'remove', from: member.role })
    await writeChange(c, {
      change: removeMember(db, orgScope.org.id, member.id, protection),
      events: [orgEvent('member_removed', orgScope.org.id, member.id, orgOriginOf(c))],
      unchanged: () => whyUnchanged(db, orgScope.org.id, member.id, protection),
    })
    return c.body(null, 204)
  })
