import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, client, createUser, newSession, okBody, request, type Session } from '../helpers'
import { accept, invited } from './invitation-helpers'
import { addMemberAs, type Cast, cast, changeRole, join, membersOf, orgOf } from './org-helpers'

let people: Cast
beforeAll(async () => {
  people = await cast()
})

type Account = { id: string; email: string }

/**
 * An organization of `people` with three more members: one who accepted (straight in D1), one an
 * operator added through the API, and one who accepted an invitation through the API.
 */
async function orgWithNewcomers() {
  const org = await orgOf(people)
  const [accepted, added, invitee] = await Promise.all([createUser(), newSession(), newSession()])
  await join(org.orgId, accepted.id, 'member')
  const res = await addMemberAs(people.globalAdmin.token, org.orgId, added.user.username, 'member')
  expect(res.status).toBe(201)
  const invitationId = await invited(people.admin.token, org.orgId, invitee.user.username)
  expect((await accept(invitee.token, invitationId)).status).toBe(200)
  const { owner, admin, member } = people
  return {
    org,
    /** Every member, and whether they chose to belong. */
    members: [
      [owner.user, true],
      [admin.user, true],
      [member.user, true],
      [accepted, true],
      [added.user, false],
      [invitee.user, true],
    ] as [Account, boolean][],
    added,
  }
}

/** The email each member of `orgId` shows the holder of `token`, by userId. */
async function emailsSeenBy(token: string, orgId: string) {
  const { members } = await membersOf(token, orgId, { limit: '100' })
  return Object.fromEntries(members.map((member) => [member.userId, member.email]))
}

/** The email of each of `members` where `shown` says so, null otherwise, by userId. */
const emailsWhere = (members: [Account, boolean][], shown: (account: Account, accepted: boolean) => boolean) =>
  Object.fromEntries(
    members.map(([account, accepted]) => [account.id, shown(account, accepted) ? account.email : null]),
  )

describe("members' emails", () => {
  it('are hidden from a plain member, who sees their own only', async () => {
    const { org, members, added } = await orgWithNewcomers()
    for (const { user, token } of [people.member, added]) {
      expect(await emailsSeenBy(token, org.orgId)).toEqual(emailsWhere(members, (account) => account.id === user.id))
    }
  })

  it.each(['owner', 'admin'] as const)(
    "are shown to an organization's %s for members who chose to belong, not for one an operator added",
    async (who) => {
      const { org, members } = await orgWithNewcomers()
      expect(await emailsSeenBy(people[who].token, org.orgId)).toEqual(emailsWhere(members, (_, accepted) => accepted))
    },
  )

  it('are all shown to a global admin', async () => {
    const { org, members } = await orgWithNewcomers()
    expect(await emailsSeenBy(people.globalAdmin.token, org.orgId)).toEqual(emailsWhere(members, () => true))
  })

  it('follow the same rule in the answer to a change of role', async () => {
    const { org, members, added } = await orgWithNewcomers()
    const [accepted] = members[3]
    const promote = (userId: string, token: string) =>
      client.api.orgs[':orgId'].members[':userId'].$patch(
        { param: { orgId: org.orgId, userId }, json: { role: 'admin' } },
        bearer(token),
      )

    expect(await (await promote(added.user.id, people.owner.token)).json()).toMatchObject({ email: null })
    expect(await (await promote(accepted.id, people.owner.token)).json()).toMatchObject({ email: accepted.email })
    const byOperator = await changeRole(people.globalAdmin.token, org.orgId, added.user.id, 'member')
    expect(await byOperator.json()).toMatchObject({ email: added.user.email })
    // Promoted, the operator's addition has still not chosen to belong.
    expect((await emailsSeenBy(people.admin.token, org.orgId))[added.user.id]).toBeNull()
  })
})

describe("the origin of an organization's audit events", () => {
  /** Where a request comes from, as the audit trail records it. */
  type Origin = { ip: string; userAgent: string }
  const ADMIN: Origin = { ip: '198.51.100.20', userAgent: 'admin-agent' }
  const VICTIM: Origin = { ip: '203.0.113.9', userAgent: 'victim-agent' }
  const LEAVER: Origin = { ip: '2001:db8::5', userAgent: 'leaver-agent' }

  /** The headers that say a request comes from `origin`. */
  const from = (origin: Origin) => ({ 'CF-Connecting-IP': origin.ip, 'User-Agent': origin.userAgent })

  type Event = { type: string; actorUserId: string | null; ip: string | null; userAgent: string | null }

  /** `orgId`'s audit trail as the holder of `token` reads it, and its text. */
  async function trailAs(token: string, orgId: string) {
    const res = await client.api.orgs[':orgId']['audit-events'].$get(
      { param: { orgId }, query: { limit: '100' } },
      bearer(token),
    )
    expect(res.status).toBe(200)
    const text = await res.text()
    return { events: (JSON.parse(text) as { events: Event[] }).events, text }
  }

  /**
   * An organization where its admin renamed it and invited a victim, the victim accepted and a
   * member left, each from their own address and user agent.
   */
  let orgId: string
  let victim: Session
  beforeAll(async () => {
    ;({ orgId } = await orgOf(people))
    victim = await newSession()
    const renamed = await request(`/api/orgs/${orgId}`, {
      method: 'PATCH',
      token: people.admin.token,
      json: { name: 'Renamed' },
      headers: from(ADMIN),
    })
    expect(renamed.status).toBe(200)
    const sent = await request(`/api/orgs/${orgId}/invitations`, {
      method: 'POST',
      token: people.admin.token,
      json: { user: victim.user.email, role: 'member' },
      headers: from(ADMIN),
    })
    expect(sent.status).toBe(201)
    const { invitationId } = await sent.json<{ invitationId: string }>()
    const accepted = await request(`/api/invitations/${invitationId}/accept`, {
      method: 'POST',
      token: victim.token,
      headers: from(VICTIM),
    })
    expect(accepted.status).toBe(200)
    const left = await request(`/api/orgs/${orgId}/members/${people.member.user.id}`, {
      method: 'DELETE',
      token: people.member.token,
      headers: from(LEAVER),
    })
    expect(left.status).toBe(204)
  })

  it("are shown to an organization's admin for their own requests only", async () => {
    const { events, text } = await trailAs(people.admin.token, orgId)
    const origins = events.map(({ type, actorUserId, ip, userAgent }) => [type, actorUserId, ip, userAgent])
    expect(origins).toEqual([
      ['member_removed', people.member.user.id, null, null],
      ['invitation_accepted', victim.user.id, null, null],
      ['invitation_created', people.admin.user.id, ADMIN.ip, ADMIN.userAgent],
      ['org_updated', people.admin.user.id, ADMIN.ip, ADMIN.userAgent],
      ['org_created', people.owner.user.id, null, null],
    ])
    for (const { ip, userAgent } of [VICTIM, LEAVER]) {
      expect(text).not.toContain(ip)
      expect(text).not.toContain(userAgent)
    }
  })

  it('are hidden from its owner for everyone else', async () => {
    const { events, text } = await trailAs(people.owner.token, orgId)
    expect(events).toHaveLength(5)
    expect(events.every((event) => event.ip === null && event.userAgent === null)).toBe(true)
    for (const { ip, userAgent } of [ADMIN, VICTIM, LEAVER]) {
      expect(text).not.toContain(ip)
      expect(text).not.toContain(userAgent)
    }
  })

  it("are all shown to a global admin, in the organization's trail and in the global one", async () => {
    const { events } = await trailAs(people.globalAdmin.token, orgId)
    expect(events.find((event) => event.type === 'invitation_accepted')).toMatchObject(VICTIM)
    expect(events.find((event) => event.type === 'member_removed')).toMatchObject(LEAVER)

    const global = await okBody(
      await client.api['audit-events'].$get(
        { query: { userId: victim.user.id, type: 'invitation_accepted' } },
        bearer(people.globalAdmin.token),
      ),
    )
    expect(global.events).toEqual([expect.objectContaining({ orgId, actorUserId: victim.user.id, ...VICTIM })])
  })
})
