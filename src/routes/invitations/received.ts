import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../app-env'
import { orgEvent } from '../../audit/events'
import {
  consumeInvitations,
  deletePendingInvitation,
  findInvitationFor,
  joinByInvitation,
  listInvitationsFor,
} from '../../data/invitations'
import { findMemberships } from '../../data/memberships'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { signedIn } from '../../http/guards'
import { CLOSED_QUERY, jsonResponse, pageQuery } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { createRouter } from '../create-router'
import { organizationResponse, toOrganization } from '../orgs/schemas'
import {
  InvitationIdParamsSchema,
  RECEIVED_INVITATION_EXAMPLE,
  ReceivedInvitationPageSchema,
  toReceivedInvitation,
} from './schemas'

const list = apiRoute(signedIn, {
  method: 'get',
  path: '/',
  operationId: 'listReceivedInvitations',
  tags: ['invitations'],
  summary: "The caller's pending invitations, oldest first",
  description: CLOSED_QUERY,
  request: { query: z.strictObject(pageQuery(20)) },
  responses: {
    200: jsonResponse('A page of pending invitations', ReceivedInvitationPageSchema, {
      invitations: [RECEIVED_INVITATION_EXAMPLE],
      nextCursor: null,
    }),
  },
})

const accept = apiRoute(signedIn, {
  method: 'post',
  path: '/{invitationId}/accept',
  operationId: 'acceptInvitation',
  tags: ['invitations'],
  summary: 'Accept an invitation: join its organization with the role it gives (the invited account only)',
  request: { params: InvitationIdParamsSchema },
  responses: { 200: organizationResponse('The organization joined, with the caller’s new role') },
  errors: ['invitation_not_found', 'already_member', 'org_limit_reached'],
})

const decline = apiRoute(signedIn, {
  method: 'post',
  path: '/{invitationId}/decline',
  operationId: 'declineInvitation',
  tags: ['invitations'],
  summary: 'Decline an invitation (the invited account only)',
  request: { params: InvitationIdParamsSchema },
  responses: { 204: { description: 'Declined: it can no longer be accepted' } },
  errors: ['invitation_not_found'],
})

/** 404 for anyone else's invitation, whether it exists or not. */
async function pendingForCaller(c: Context<AppEnv>, id: string, now: Date) {
  const invitation = await findInvitationFor(c.var.db, { id, userId: c.var.user.id, now })
  if (!invitation) throw new ApiError('invitation_not_found')
  return invitation
}

export const receivedInvitationsRouter = createRouter()
  .openapi(list, async (c) => {
    const { page, nextCursor } = await listInvitationsFor(c.var.db, {
      userId: c.var.user.id,
      now: new Date(),
      ...c.req.valid('query'),
    })
    return c.json({ invitations: page.map(toReceivedInvitation), nextCursor }, 200)
  })
  .openapi(accept, async (c) => {
    const { db, user } = c.var
    const now = new Date()
    const invitation = await pendingForCaller(c, c.req.valid('param').invitationId, now)
    const orgId = invitation.org.id
    const { maxOrgsPerUser } = c.var.settings.organizations
    const { changed: joined } = await writeChange(c, {
      change: joinByInvitation(db, { id: invitation.id, orgId, userId: user.id, now, maxOrgs: maxOrgsPerUser }),
      events: [orgEvent('invitation_accepted', orgId, user.id, originOf(c, user.id), now)],
      after: { invitations: consumeInvitations(db, orgId, user.id) },
      unchanged: async () => {
        // Joined meanwhile (a second accept, or an operator), at the limit, or revoked or expired meanwhile.
        const memberships = await findMemberships(db, { userId: user.id, orgId })
        if (memberships.inOrg) return new ApiError('already_member')
        if (memberships.count >= maxOrgsPerUser) return new ApiError('org_limit_reached')
        return new ApiError('invitation_not_found')
      },
    })
    return c.json(toOrganization(invitation.org, joined.role), 200)
  })
  .openapi(decline, async (c) => {
    const { db, user } = c.var
    const now = new Date()
    const invitation = await pendingForCaller(c, c.req.valid('param').invitationId, now)
    await writeChange(c, {
      change: deletePendingInvitation(db, invitation.id, { userId: user.id }, now),
      events: [orgEvent('invitation_declined', invitation.org.id, user.id, originOf(c, user.id), now)],
      unchanged: () => new ApiError('invitation_not_found'),
    })
    return c.body(null, 204)
  })
