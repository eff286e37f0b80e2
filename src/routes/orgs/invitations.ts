import { z } from '@hono/zod-openapi'
import { orgEvent } from '../../audit/events'
import type { Database } from '../../data/client'
import {
  createInvitation,
  deletePendingInvitation,
  findInvitationState,
  listOrgInvitations,
} from '../../data/invitations'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { inOrg } from '../../http/guards'
import { CLOSED_QUERY, jsonBody, jsonResponse, pageQuery } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { buildInvitation } from '../../orgs/invitation'
import { createRouter } from '../create-router'
import {
  INVITATION_EXAMPLE,
  InvitationPageSchema,
  invitationResponse,
  NewInvitationSchema,
  OrgInvitationParamsSchema,
  toInvitation,
} from '../invitations/schemas'
import { authorize } from './authorize'
import { OrgParamsSchema } from './schemas'

const HOUR_MS = 3_600_000

const create = apiRoute(inOrg('manage_members'), {
  method: 'post',
  path: '/{orgId}/invitations',
  operationId: 'createInvitation',
  tags: ['invitations'],
  summary: 'Invite someone by username or email (its owners and admins; only an owner invites an owner)',
  description:
    'The response is the same whether or not an account has that username or email, and whether or not it is a member already: it says nothing about accounts. An invitation to an email or username no account has yet waits for the account created with it. Only the account invited can accept (`POST /api/invitations/{invitationId}/accept`).',
  request: {
    params: OrgParamsSchema,
    body: jsonBody(NewInvitationSchema.openapi('NewInvitation'), { user: 'alice@example.com', role: 'member' }),
  },
  responses: { 201: invitationResponse('The invitation, pending') },
  errors: ['already_invited', 'invitation_limit_reached', 'too_many_invitations'],
})

const list = apiRoute(inOrg('manage_members'), {
  method: 'get',
  path: '/{orgId}/invitations',
  operationId: 'listInvitations',
  tags: ['invitations'],
  summary: "An organization's pending invitations, oldest first (its owners and admins)",
  description: CLOSED_QUERY,
  request: { params: OrgParamsSchema, query: z.strictObject(pageQuery(20)) },
  responses: {
    200: jsonResponse('A page of pending invitations', InvitationPageSchema, {
      invitations: [INVITATION_EXAMPLE],
      nextCursor: null,
    }),
  },
})

const revoke = apiRoute(inOrg('manage_members'), {
  method: 'delete',
  path: '/{orgId}/invitations/{invitationId}',
  operationId: 'revokeInvitation',
  tags: ['invitations'],
  summary: 'Revoke a pending invitation (its owners and admins)',
  request: { params: OrgInvitationParamsSchema },
  responses: { 204: { description: 'Revoked: it can no longer be accepted' } },
  errors: ['invitation_not_found'],
})

async function whyNotInvited(db: Database, args: { orgId: string; inviterId: string; now: Date }, maxPerHour: number) {
  const why = await findInvitationState(db, args)
  // Deleted after the guard read it: its token is no longer valid.
  if (!why.inviterExists) return new ApiError('invalid_token')
  if (!why.orgExists) return new ApiError('org_not_found')
  if (why.sent >= maxPerHour) {
    const freedAt = (why.oldestSent ?? args.now.getTime()) + HOUR_MS
    const retryAfter = Math.max(1, Math.ceil((freedAt - args.now.getTime()) / 1000))
    return new ApiError('too_many_invitations', { headers: { 'Retry-After': String(retryAfter) } })
  }
  return new ApiError('invitation_limit_reached')
}

export const orgInvitationsRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user: caller, orgScope } = c.var
    const input = c.req.valid('json')
    authorize(c, null, { kind: 'add', role: input.role })
    const limits = c.var.settings.organizations
    const orgId = orgScope.org.id
    const row = buildInvitation(input, { orgId, invitedBy: caller.id, ttlDays: limits.invitationTtlDays })
    const now = row.createdAt
    const { clearExpired, invitation } = createInvitation(db, row, {
      maxPending: limits.maxPendingInvitations,
      maxPerHour: limits.maxInvitationsPerHour,
    })
    await writeChange(c, {
      before: { clearExpired },
      change: invitation,
      events: [orgEvent('invitation_created', orgId, null, originOf(c, caller.id), now)],
      unchanged: () => whyNotInvited(db, { orgId, inviterId: caller.id, now }, limits.maxInvitationsPerHour),
    })
    return c.json(toInvitation({ ...row, invitedBy: { userId: caller.id, username: caller.username } }), 201)
  })
  .openapi(list, async (c) => {
    const { page, nextCursor } = await listOrgInvitations(c.var.db, {
      orgId: c.var.orgScope.org.id,
      now: new Date(),
      ...c.req.valid('query'),
    })
    return c.json({ invitations: page.map(toInvitation), nextCursor }, 200)
  })
  .openapi(revoke, async (c) => {
    const { db, user: caller, orgScope } = c.var
    const { invitationId } = c.req.valid('param')
    const now = new Date()
    await writeChange(c, {
      change: deletePendingInvitation(db, invitationId, { orgId: orgScope.org.id }, now),
      events: [orgEvent('invitation_revoked', orgScope.org.id, null, originOf(c, caller.id), now)],
      unchanged: () => new ApiError('invitation_not_found'),
    })
    return c.body(null, 204)
  })
