import { z } from '@hono/zod-openapi'
import { orgEvent } from '../../audit/auth-event'
import { recordIfChanged } from '../../data/auth-events'
import { batchByName } from '../../data/client'
import {
  createInvitation,
  deletePendingInvitation,
  invitationRefusal,
  listOrgInvitations,
} from '../../data/invitations'
import { apiRoute } from '../../http/api-route'
import { logAuthEvents, originOf } from '../../http/audit'
import { conflictOrRethrow } from '../../http/conflicts'
import { ApiError } from '../../http/errors'
import { inOrg } from '../../http/guards'
import { CLOSED_QUERY, jsonBody, jsonResponse, pageQuery } from '../../http/openapi'
import { buildInvitation, NewInvitationSchema } from '../../orgs/invitation'
import { createRouter } from '../create-router'
import {
  INVITATION_EXAMPLE,
  InvitationPageSchema,
  invitationResponse,
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
    'The answer is the same whether or not an account has that username or email, and whether or not it is a member already: it says nothing about accounts. An invitation to an email or username no account has yet waits for the account created with it. Only the account invited can accept (`POST /api/invitations/{invitationId}/accept`).',
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

export const orgInvitationsRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user: caller, orgScope } = c.var
    const input = c.req.valid('json')
    authorize(c, null, { kind: 'add', role: input.role })
    const limits = c.var.settings.organizations
    const orgId = orgScope.org.id
    const row = buildInvitation(input, { orgId, invitedBy: caller.id, ttlDays: limits.invitationTtlDays })
    const now = row.createdAt
    const event = orgEvent('invitation_created', orgId, null, originOf(c, caller.id), now)
    const { invitation } = await batchByName(db, {
      ...createInvitation(db, row, {
        maxPending: limits.maxPendingInvitations,
        maxPerHour: limits.maxInvitationsPerHour,
      }),
      event: recordIfChanged(db, event),
    }).catch(conflictOrRethrow)
    if (invitation.length === 0) {
      const why = await invitationRefusal(db, { orgId, inviterId: caller.id, now })
      // An account deleted after the guard read it: its token no longer holds.
      if (!why.inviterExists) throw new ApiError('invalid_token')
      if (!why.orgExists) throw new ApiError('org_not_found')
      if (why.sent >= limits.maxInvitationsPerHour) {
        const freedAt = (why.oldestSent ?? now.getTime()) + HOUR_MS
        const retryAfter = Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000))
        throw new ApiError('too_many_invitations', { headers: { 'Retry-After': String(retryAfter) } })
      }
      throw new ApiError('invitation_limit_reached')
    }
    logAuthEvents(c, [event])
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
    const event = orgEvent('invitation_revoked', orgScope.org.id, null, originOf(c, caller.id), now)
    const [revoked] = await db.batch([
      deletePendingInvitation(db, invitationId, { orgId: orgScope.org.id }, now),
      recordIfChanged(db, event),
    ])
    if (revoked.length === 0) throw new ApiError('invitation_not_found')
    logAuthEvents(c, [event])
    return c.body(null, 204)
  })
