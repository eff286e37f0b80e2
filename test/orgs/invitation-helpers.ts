import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { invitations } from '../../src/data/schema'
import { bearer, client, request } from '../helpers'
import { db } from './org-helpers'

/** Moves the expiry of the invitation `id` into the past, straight in D1. */
export const expire = (id: string) =>
  db
    .update(invitations)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(invitations.id, id))

export const INVITATION_NOT_FOUND = { error: 'Invitation not found', code: 'invitation_not_found' }
export const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** `POST /api/orgs/{orgId}/invitations` as the holder of `token`. */
export const invite = (token: string, orgId: string, body: { user: string; role: string }) =>
  request(`/api/orgs/${orgId}/invitations`, { method: 'POST', token, json: body })

/** Invites `user` as `role` and answers the invitation's id, failing the test unless it answers 201. */
export async function invited(token: string, orgId: string, user: string, role = 'member') {
  const res = await invite(token, orgId, { user, role })
  if (res.status !== 201) expect.fail(`invite answered ${res.status}: ${await res.text()}`)
  return ((await res.json()) as { invitationId: string }).invitationId
}

/** The caller's pending invitations, through the typed client. */
export async function received(token: string) {
  const res = await client.api.invitations.$get({ query: {} }, bearer(token))
  if (res.status !== 200) expect.fail(`GET /api/invitations answered ${res.status}: ${await res.text()}`)
  return (await res.json()).invitations
}

export const accept = (token: string, invitationId: string) =>
  client.api.invitations[':invitationId'].accept.$post({ param: { invitationId } }, bearer(token))

export const decline = (token: string, invitationId: string) =>
  client.api.invitations[':invitationId'].decline.$post({ param: { invitationId } }, bearer(token))
