import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, client, createUser, headersOf, login, newSession, request, uniqueName } from '../helpers'
import {
  accept,
  decline,
  expire,
  INVITATION_NOT_FOUND,
  invite,
  invited,
  received,
  TIMESTAMP,
} from './invitation-helpers'
import {
  addMemberAs,
  type Cast,
  cast,
  changesIn,
  createOrg,
  FORBIDDEN,
  LAST_OWNER,
  membersOf,
  missingId,
  orgOf,
  roleIn,
  stateOf,
} from './org-helpers'

let people: Cast
beforeAll(async () => {
  people = await cast()
})

describe('an invitation', () => {
  it('is answered alike whether or not an account has that username or email: status, body and headers', async () => {
    const org = await orgOf(people)
    const existing = await createUser()
    const answers = []
    for (const user of [existing.username, `nobody-${uniqueName()}`, existing.email, `${uniqueName()}@example.com`]) {
      const res = await invite(people.owner.token, org.orgId, { user, role: 'member' })
      const body = (await res.json()) as Record<string, unknown>
      expect(body.user).toBe(user)
      answers.push({
        status: res.status,
        headers: headersOf(res),
        // What differs by design: the id and times of each invitation, and the reference echoed.
        body: { ...body, invitationId: 'id', user: 'echoed', createdAt: 'time', expiresAt: 'time' },
      })
    }
    expect(answers[0].status).toBe(201)
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0])
    // The organization's listing tells them apart no better.
    const res = await client.api.orgs[':orgId'].invitations.$get(
      { param: { orgId: org.orgId }, query: {} },
      bearer(people.owner.token),
    )
    const { invitations } = (await res.json()) as { invitations: Record<string, unknown>[] }
    expect(invitations.map((invitation) => Object.keys(invitation).sort())).toEqual(
      Array(4).fill(['createdAt', 'expiresAt', 'invitationId', 'invitedBy', 'role', 'user']),
    )
  })

  it('is listed for the account invited, accepted, and makes it a member with the role invited', async () => {
    const org = await orgOf(people)
    const alice = await newSession()
    const invitationId = await invited(people.admin.token, org.orgId, alice.user.email.toUpperCase(), 'admin')

    expect(await received(alice.token)).toEqual([
      {
        invitationId,
        organization: { orgId: org.orgId, slug: org.slug, name: org.name },
        role: 'admin',
        invitedBy: { userId: people.admin.user.id, username: people.admin.user.username },
        createdAt: expect.stringMatching(TIMESTAMP),
        expiresAt: expect.stringMatching(TIMESTAMP),
      },
    ])
    expect(await roleIn(org.orgId, alice.user.id)).toBeUndefined()

    const res = await accept(alice.token, invitationId.toUpperCase())
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ orgId: org.orgId, slug: org.slug, role: 'admin' })
    expect(await roleIn(org.orgId, alice.user.id)).toBe('admin')
    expect(await received(alice.token)).toEqual([])
    expect(
      (
        await client.api.orgs[':orgId'].invitations.$get(
          { param: { orgId: org.orgId }, query: {} },
          bearer(people.owner.token),
        )
      ).status,
    ).toBe(200)
    expect(await changesIn(org.orgId)).toEqual(['invitation_created', 'invitation_accepted'])
    // Accepted once: the same id again is gone.
    expect(await (await accept(alice.token, invitationId)).json()).toEqual(INVITATION_NOT_FOUND)
  })

  it('is declined by the account invited, which then does not join', async () => {
    const org = await orgOf(people)
    const bob = await newSession()
    const invitationId = await invited(people.owner.token, org.orgId, bob.user.username)

    expect((await decline(bob.token, invitationId)).status).toBe(204)
    expect(await received(bob.token)).toEqual([])
    expect(await roleIn(org.orgId, bob.user.id)).toBeUndefined()
    expect(await (await accept(bob.token, invitationId)).json()).toEqual(INVITATION_NOT_FOUND)
    expect(await changesIn(org.orgId)).toEqual(['invitation_created', 'invitation_declined'])
  })

  it('is revoked by an owner or admin, after which it cannot be accepted', async () => {
    const org = await orgOf(people)
    const carol = await newSession()
    const invitationId = await invited(people.owner.token, org.orgId, carol.user.username)

    const res = await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
      { param: { orgId: org.orgId, invitationId } },
      bearer(people.admin.token),
    )
    expect(res.status).toBe(204)
    expect(await received(carol.token)).toEqual([])
    expect(await (await accept(carol.token, invitationId)).json()).toEqual(INVITATION_NOT_FOUND)
    const again = await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
      { param: { orgId: org.orgId, invitationId } },
      bearer(people.admin.token),
    )
    expect(again.status).toBe(404)
    expect(await again.json()).toEqual(INVITATION_NOT_FOUND)
  })
})

describe('an invitation, over time and across accounts', () => {
  it('expires INVITATION_TTL_DAYS after it is sent: then neither listed nor accepted, and may be sent again', async () => {
    const org = await orgOf(people)
    const dave = await newSession()
    const res = await request(`/api/orgs/${org.orgId}/invitations`, {
      method: 'POST',
      env: { INVITATION_TTL_DAYS: '3' },
      token: people.owner.token,
      json: { user: dave.user.username, role: 'member' },
    })
    const sent = (await res.json()) as { invitationId: string; createdAt: string; expiresAt: string }
    expect(Date.parse(sent.expiresAt) - Date.parse(sent.createdAt)).toBe(3 * 86_400_000)

    await expire(sent.invitationId)
    expect(await received(dave.token)).toEqual([])
    expect(await (await accept(dave.token, sent.invitationId)).json()).toEqual(INVITATION_NOT_FOUND)
    expect(await (await decline(dave.token, sent.invitationId)).json()).toEqual(INVITATION_NOT_FOUND)
    const listed = await client.api.orgs[':orgId'].invitations.$get(
      { param: { orgId: org.orgId }, query: {} },
      bearer(people.owner.token),
    )
    expect(((await listed.json()) as { invitations: unknown[] }).invitations).toEqual([])
    expect(await roleIn(org.orgId, dave.user.id)).toBeUndefined()

    const again = await invited(people.owner.token, org.orgId, dave.user.username)
    expect((await accept(dave.token, again)).status).toBe(200)
  })

  it('of another account is 404, exactly as one that does not exist, and is left alone', async () => {
    const org = await orgOf(people)
    const [erin, mallory] = await Promise.all([newSession(), newSession()])
    const invitationId = await invited(people.owner.token, org.orgId, erin.user.username)
    const before = await stateOf(org.orgId)

    for (const id of [invitationId, missingId()]) {
      for (const res of [await accept(mallory.token, id), await decline(mallory.token, id)]) {
        expect(res.status).toBe(404)
        expect(await res.json()).toEqual(INVITATION_NOT_FOUND)
      }
    }
    // Neither the inviter nor the organization's owner can answer it for Erin.
    expect((await accept(people.owner.token, invitationId)).status).toBe(404)
    expect(await stateOf(org.orgId)).toEqual(before)
    expect(await received(erin.token)).toHaveLength(1)
  })

  it('waits for an account created later with that email, by an admin, and is then theirs alone', async () => {
    const org = await orgOf(people)
    const email = `${uniqueName('later')}@example.com`
    const invitationId = await invited(people.owner.token, org.orgId, email)
    // Someone who takes that email afterwards does not get it: only an account created with it.
    const squatter = await newSession()
    expect((await client.api.auth.me.$patch({ json: { email } }, bearer(squatter.token))).status).toBe(200)
    expect(await received(squatter.token)).toEqual([])
    expect(
      (await client.api.auth.me.$patch({ json: { email: squatter.user.email } }, bearer(squatter.token))).status,
    ).toBe(200)

    const username = uniqueName('newcomer')
    const password = 'a long enough password for tests'
    const created = await client.api.users.$post(
      { json: { username, email, password } },
      bearer(people.globalAdmin.token),
    )
    expect(created.status).toBe(201)
    const { token } = await login(username, password)
    expect((await received(token)).map((invitation) => invitation.invitationId)).toEqual([invitationId])
    expect((await accept(token, invitationId)).status).toBe(200)
  })
})

describe('who may invite', () => {
  it('is an owner or admin; only an owner invites an owner; members and outsiders may not', async () => {
    const org = await orgOf(people)
    const someone = uniqueName()
    expect((await invite(people.admin.token, org.orgId, { user: someone, role: 'owner' })).status).toBe(403)
    expect((await invite(people.member.token, org.orgId, { user: someone, role: 'member' })).status).toBe(403)
    expect((await invite(people.outsider.token, org.orgId, { user: someone, role: 'member' })).status).toBe(404)
    expect((await invite(people.owner.token, org.orgId, { user: someone, role: 'owner' })).status).toBe(201)
    expect((await invite(people.globalAdmin.token, org.orgId, { user: uniqueName(), role: 'owner' })).status).toBe(201)
  })
})

describe('adding a member without an invitation', () => {
  it("is the operator's alone: owners and admins are told 403 and invite instead", async () => {
    const org = await orgOf(people)
    const victim = await createUser()
    for (const caller of [people.owner, people.admin]) {
      const res = await addMemberAs(caller.token, org.orgId, victim.username, 'owner')
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(await roleIn(org.orgId, victim.id)).toBeUndefined()
    const res = await addMemberAs(people.globalAdmin.token, org.orgId, victim.username, 'member')
    expect(res.status).toBe(201)
  })
})

describe('the victim scenario', () => {
  it('no longer traps anyone: invited as owner, the victim is not a member until they accept', async () => {
    const attacker = await newSession()
    const victim = await newSession()
    const org = await createOrg(attacker.token)
    await invited(attacker.token, org.orgId, victim.user.email, 'owner')
    // The attacker cannot leave: they are the last owner, and the victim is no member.
    const leave = await client.api.orgs[':orgId'].members[':userId'].$delete(
      { param: { orgId: org.orgId, userId: attacker.user.id } },
      bearer(attacker.token),
    )
    expect(leave.status).toBe(409)
    expect(await leave.json()).toEqual(LAST_OWNER)
    expect(await roleIn(org.orgId, victim.user.id)).toBeUndefined()
    // An admin can still delete the victim's account.
    expect(
      (await client.api.users[':id'].$delete({ param: { id: victim.user.id } }, bearer(people.globalAdmin.token)))
        .status,
    ).toBe(204)
    const { members } = await membersOf(attacker.token, org.orgId)
    expect(members.map((member) => member.userId)).toEqual([attacker.user.id])
  })
})
