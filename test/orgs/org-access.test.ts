import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AuditEventType } from '../../src/data/schema'
import { flakyD1 } from '../flaky-d1'
import { type Answer, bearer, client, createUser, headersOf, login, request } from '../helpers'
import { INVITATION_NOT_FOUND, invited } from './invitation-helpers'
import {
  addMemberAs,
  type Cast,
  cast,
  changeRole,
  changesIn,
  createOrg,
  FORBIDDEN,
  join,
  MEMBER_NOT_FOUND,
  membersOf,
  missingId,
  ORG_NOT_FOUND,
  orgOf,
  pendingInvitation,
  roleIn,
  stateOf,
} from './org-helpers'

let people: Cast
/** Accounts the requests act on, never signed in: a member, a second owner, and someone to add or invite. */
let target: { id: string }
let coOwner: { id: string }
let newcomer: { id: string; username: string }

beforeAll(async () => {
  people = await cast()
  ;[target, coOwner, newcomer] = await Promise.all([createUser(), createUser(), createUser()])
})

type Caller = keyof Cast
type Expected = Record<Caller, number>

/**
 * An organization-scoped request, made by the holder of `token` in `orgId` (where `invitationId`
 * is pending), and the event it writes if it succeeds.
 */
type Scoped = {
  send: (orgId: string, token: string, invitationId: string) => Promise<Answer>
  event: AuditEventType | null
}

const reads = { owner: 200, admin: 200, member: 200, outsider: 404, globalAdmin: 200 }
const managed = { owner: 200, admin: 200, member: 403, outsider: 404, globalAdmin: 200 }
const ownersOnly = { ...managed, admin: 403 }
// Adding without an invitation: the operator's alone.
const operatorsOnly = { ...managed, owner: 403, admin: 403, globalAdmin: 201 }

const endpoints: [string, Scoped, Expected][] = [
  [
    'GET /api/orgs/{orgId}',
    { send: (o, t) => client.api.orgs[':orgId'].$get({ param: { orgId: o } }, bearer(t)), event: null },
    reads,
  ],
  [
    'PATCH /api/orgs/{orgId}',
    {
      send: (o, t) => client.api.orgs[':orgId'].$patch({ param: { orgId: o }, json: { name: 'Renamed' } }, bearer(t)),
      event: 'org_updated',
    },
    managed,
  ],
  [
    'DELETE /api/orgs/{orgId}',
    { send: (o, t) => client.api.orgs[':orgId'].$delete({ param: { orgId: o } }, bearer(t)), event: 'org_deleted' },
    { ...ownersOnly, owner: 204, globalAdmin: 204 },
  ],
  [
    'GET /api/orgs/{orgId}/members',
    {
      send: (o, t) => client.api.orgs[':orgId'].members.$get({ param: { orgId: o }, query: {} }, bearer(t)),
      event: null,
    },
    reads,
  ],
  [
    'POST /api/orgs/{orgId}/members, as a member',
    {
      send: (o, t) => addMemberAs(t, o, newcomer.username, 'member'),
      event: 'member_added',
    },
    operatorsOnly,
  ],
  [
    'POST /api/orgs/{orgId}/members, as an owner',
    {
      send: (o, t) => addMemberAs(t, o, newcomer.id, 'owner'),
      event: 'member_added',
    },
    operatorsOnly,
  ],
  [
    'POST /api/orgs/{orgId}/invitations, as a member',
    {
      send: (o, t) =>
        client.api.orgs[':orgId'].invitations.$post(
          { param: { orgId: o }, json: { user: newcomer.username, role: 'member' } },
          bearer(t),
        ),
      event: 'invitation_created',
    },
    { ...managed, owner: 201, admin: 201, globalAdmin: 201 },
  ],
  [
    'POST /api/orgs/{orgId}/invitations, as an owner',
    {
      send: (o, t) =>
        client.api.orgs[':orgId'].invitations.$post(
          { param: { orgId: o }, json: { user: newcomer.username, role: 'owner' } },
          bearer(t),
        ),
      event: 'invitation_created',
    },
    { ...ownersOnly, owner: 201, globalAdmin: 201 },
  ],
  [
    'GET /api/orgs/{orgId}/invitations',
    {
      send: (o, t) => client.api.orgs[':orgId'].invitations.$get({ param: { orgId: o }, query: {} }, bearer(t)),
      event: null,
    },
    managed,
  ],
  [
    'DELETE an invitation',
    {
      send: (o, t, i) =>
        client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
          { param: { orgId: o, invitationId: i } },
          bearer(t),
        ),
      event: 'invitation_revoked',
    },
    { ...managed, owner: 204, admin: 204, globalAdmin: 204 },
  ],
  [
    "PATCH a member's role",
    {
      send: (o, t) => changeRole(t, o, target.id, 'admin'),
      event: 'member_role_changed',
    },
    managed,
  ],
  [
    "PATCH an owner's role",
    {
      send: (o, t) => changeRole(t, o, coOwner.id, 'admin'),
      event: 'member_role_changed',
    },
    ownersOnly,
  ],
  [
    'DELETE a member',
    {
      send: (o, t) =>
        client.api.orgs[':orgId'].members[':userId'].$delete({ param: { orgId: o, userId: target.id } }, bearer(t)),
      event: 'member_removed',
    },
    { ...managed, owner: 204, admin: 204, globalAdmin: 204 },
  ],
  [
    'DELETE an owner',
    {
      send: (o, t) =>
        client.api.orgs[':orgId'].members[':userId'].$delete({ param: { orgId: o, userId: coOwner.id } }, bearer(t)),
      event: 'member_removed',
    },
    { ...ownersOnly, owner: 204, globalAdmin: 204 },
  ],
  [
    'GET /api/orgs/{orgId}/audit-events',
    {
      send: (o, t) => client.api.orgs[':orgId']['audit-events'].$get({ param: { orgId: o }, query: {} }, bearer(t)),
      event: null,
    },
    { ...managed },
  ],
]

const callers: Caller[] = ['owner', 'admin', 'member', 'outsider', 'globalAdmin']
const REFUSALS: Record<number, object> = { 403: FORBIDDEN, 404: ORG_NOT_FOUND }

describe('who may do what in an organization', () => {
  it.each(
    endpoints.flatMap(([name, scoped, expected]) =>
      callers.map((caller) => [name, caller, expected[caller], scoped] as const),
    ),
  )('%s by the %s answers %i', async (_name, caller, status, { send, event }) => {
    const org = await orgOf(people)
    await join(org.orgId, target.id, 'member')
    await join(org.orgId, coOwner.id, 'owner')
    const invitationId = await pendingInvitation(org.orgId, people.owner.user.id)
    const before = await stateOf(org.orgId)

    const res = await send(org.orgId, people[caller].token, invitationId)
    expect(res.status).toBe(status)
    if (status >= 400) {
      expect(await res.json()).toEqual(REFUSALS[status])
      expect(await stateOf(org.orgId)).toEqual(before)
    } else {
      expect(await changesIn(org.orgId)).toEqual(event ? [event] : [])
    }
  })
})

describe('an outsider', () => {
  let org: { orgId: string }
  let invitationId: string
  beforeAll(async () => {
    org = await orgOf(people)
    invitationId = await pendingInvitation(org.orgId, people.owner.user.id)
  })

  const requests: [string, string, (orgId: string) => string, unknown?][] = [
    ['GET', 'the organization', (o) => `/api/orgs/${o}`],
    ['PATCH', 'the organization', (o) => `/api/orgs/${o}`, { name: 'Mine now' }],
    ['DELETE', 'the organization', (o) => `/api/orgs/${o}`],
    ['GET', 'its members', (o) => `/api/orgs/${o}/members`],
    ['POST', 'a member', (o) => `/api/orgs/${o}/members`, { user: 'someone', role: 'owner' }],
    ['PATCH', 'a member', (o) => `/api/orgs/${o}/members/${people.member.user.id}`, { role: 'owner' }],
    ['DELETE', 'a member', (o) => `/api/orgs/${o}/members/${people.member.user.id}`],
    ['DELETE', 'themselves', (o) => `/api/orgs/${o}/members/${people.outsider.user.id}`],
    ['GET', 'its audit events', (o) => `/api/orgs/${o}/audit-events?limit=5`],
    ['POST', 'an invitation', (o) => `/api/orgs/${o}/invitations`, { user: 'someone', role: 'owner' }],
    ['GET', 'its invitations', (o) => `/api/orgs/${o}/invitations`],
    ['DELETE', 'an invitation', (o) => `/api/orgs/${o}/invitations/${invitationId}`],
  ]

  it.each(requests)(
    'gets the same 404 for %s %s of an existing organization as of a missing one',
    async (method, _what, path, body) => {
      const before = await stateOf(org.orgId)
      const { token } = people.outsider
      const existing = await request(path(org.orgId), { method, token, json: body })
      const missing = await request(path(missingId()), { method, token, json: body })

      expect(existing.status).toBe(404)
      expect(missing.status).toBe(404)
      expect(headersOf(existing)).toEqual(headersOf(missing))
      const text = await existing.text()
      expect(text).toBe(await missing.text())
      expect(JSON.parse(text)).toEqual(ORG_NOT_FOUND)
      expect(await stateOf(org.orgId)).toEqual(before)
    },
  )
})

describe('two organizations', () => {
  let a: { orgId: string }
  let b: { orgId: string }
  let memberOfB: { id: string; username: string }
  /** Pending in b, sent by its owner. */
  let invitationOfB: string
  beforeAll(async () => {
    ;[a, b, memberOfB] = await Promise.all([
      createOrg(people.owner.token),
      createOrg(people.outsider.token),
      createUser(),
    ])
    // Added by the operator, so that b's trail has an event about its member.
    const added = await addMemberAs(people.globalAdmin.token, b.orgId, memberOfB.username, 'member')
    expect(added.status).toBe(201)
    invitationOfB = await invited(people.outsider.token, b.orgId, (await createUser()).username)
  })

  it.each([
    ['GET', '', undefined],
    ['PATCH', '', { slug: 'hijacked' }],
    ['DELETE', '', undefined],
    ['GET', '/members', undefined],
    ['POST', '/members', { user: 'nobody-at-all', role: 'owner' }],
    ['GET', '/audit-events', undefined],
    ['POST', '/invitations', { user: 'nobody-at-all', role: 'owner' }],
    ['GET', '/invitations', undefined],
    ['DELETE', '/invitations/{invitation}', undefined],
  ])('keep the owner of one from %s /api/orgs/{other}%s', async (method, suffix, body) => {
    const before = await stateOf(b.orgId)
    const path = `/api/orgs/${b.orgId}${suffix.replace('{invitation}', invitationOfB)}`
    const res = await request(path, { method, token: people.owner.token, json: body })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(ORG_NOT_FOUND)
    expect(await stateOf(b.orgId)).toEqual(before)
  })

  it.each([
    ['PATCH', { role: 'owner' }],
    ['DELETE', undefined],
  ])("answer 404 member_not_found to %s of the other's member under one's own path", async (method, body) => {
    const before = await stateOf(b.orgId)
    const res = await request(`/api/orgs/${a.orgId}/members/${memberOfB.id}`, {
      method,
      token: people.owner.token,
      json: body,
    })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(MEMBER_NOT_FOUND)
    expect(await stateOf(b.orgId)).toEqual(before)
    expect(await roleIn(b.orgId, memberOfB.id)).toBe('member')
    expect(await changesIn(a.orgId)).toEqual([])
  })

  it("answer 404 invitation_not_found to revoking the other's invitation under one's own path, and leave it pending", async () => {
    const before = await stateOf(b.orgId)
    const res = await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
      { param: { orgId: a.orgId, invitationId: invitationOfB } },
      bearer(people.owner.token),
    )
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(INVITATION_NOT_FOUND)
    expect(await stateOf(b.orgId)).toEqual(before)
    const listed = await request(`/api/orgs/${b.orgId}/invitations`, { token: people.outsider.token })

    const { invitations } = await listed.json<{ invitations: { invitationId: string }[] }>()
    expect(invitations.map((invitation) => invitation.invitationId)).toEqual([invitationOfB])
    expect(await changesIn(a.orgId)).toEqual([])
  })

  it("keep one's audit listing to its own events, even filtered by the other's member", async () => {
    const own = await request(`/api/orgs/${a.orgId}/audit-events?limit=100`, { token: people.owner.token })
    const { events } = await own.json<{ events: { orgId: string; type: string }[] }>()
    expect(events.map((event) => [event.orgId, event.type])).toEqual([[a.orgId, 'org_created']])

    const filtered = await client.api.orgs[':orgId']['audit-events'].$get(
      { param: { orgId: a.orgId }, query: { userId: memberOfB.id } },
      bearer(people.owner.token),
    )
    expect(await filtered.json()).toEqual({ events: [], nextCursor: null })
    // The event is there, in the organization it belongs to.
    const theirs = await client.api.orgs[':orgId']['audit-events'].$get(
      { param: { orgId: b.orgId }, query: { userId: memberOfB.id } },
      bearer(people.outsider.token),
    )
    expect(await theirs.json()).toMatchObject({ events: [{ type: 'member_added', orgId: b.orgId }] })
  })

  it("list each owner's own organization only", async () => {
    const res = await request('/api/orgs?limit=100', { token: people.owner.token })
    const { organizations } = await res.json<{ organizations: { orgId: string }[] }>()
    expect(organizations.map((org) => org.orgId)).toContain(a.orgId)
    expect(organizations.map((org) => org.orgId)).not.toContain(b.orgId)
  })
})

describe('D1 queries', () => {
  /** The SQL D1 ran for one request as the holder of `token`. */
  async function queriesOf(path: string, token: string, status: number) {
    const counted = flakyD1(env.DB, { failures: 0 })
    const res = await request(path, { env: { DB: counted.binding }, token })
    expect(res.status).toBe(status)
    return counted.executions
  }

  it('are one for an organization: the guard reads the account, the organization and the role at once', async () => {
    const org = await orgOf(people)
    expect(await queriesOf(`/api/orgs/${org.orgId}`, people.member.token, 200)).toHaveLength(1)
    expect(await queriesOf(`/api/orgs/${org.orgId}`, people.outsider.token, 404)).toHaveLength(1)
    expect(await queriesOf(`/api/orgs/${missingId()}`, people.member.token, 404)).toHaveLength(1)
  })

  it('are two for a page of members: the guard, then the page', async () => {
    const org = await orgOf(people)
    expect(await queriesOf(`/api/orgs/${org.orgId}/members`, people.member.token, 200)).toHaveLength(2)
  })

  it.each([
    ['PATCH', '', { name: 'Renamed' }, 200],
    ['PATCH', '/members/{member}', { role: 'admin' }, 200],
    ['DELETE', '/members/{member}', undefined, 204],
    ['DELETE', '', undefined, 204],
  ] as const)(
    'are the guard and one batch for %s /api/orgs/{orgId}%s: the change and its event together',
    async (method, suffix, body, status) => {
      const org = await orgOf(people)
      const counted = flakyD1(env.DB, { failures: 0 })
      const path = `/api/orgs/${org.orgId}${suffix.replace('{member}', people.member.user.id)}`
      const res = await request(path, {
        method,
        env: { DB: counted.binding },
        token: people.owner.token,
        body: body && JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      })
      expect(res.status).toBe(status)
      expect(counted.executions).toHaveLength(2)
      expect(counted.executions[1]).toBe('batch')
      expect(await changesIn(org.orgId)).toHaveLength(1)
    },
  )
})

describe('a token', () => {
  it('is needed: without one, an existing organization and a missing one are both 401', async () => {
    const org = await orgOf(people)
    for (const orgId of [org.orgId, missingId()]) {
      const res = await client.api.orgs[':orgId'].$get({ param: { orgId } })
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ error: 'Missing authorization header', code: 'missing_authorization' })
    }
  })

  it("is refused once logged out, by the same one query that reads the caller's role", async () => {
    const org = await orgOf(people)
    const { token } = await login(people.owner.user.username)
    expect((await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(token))).status).toBe(200)
    expect((await client.api.auth.logout.$post({}, bearer(token))).status).toBe(204)

    const res = await client.api.orgs[':orgId'].$delete({ param: { orgId: org.orgId } }, bearer(token))
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
    // The owner's other login is untouched, and so is the organization.
    expect(
      (await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(people.owner.token))).status,
    ).toBe(200)
  })
})

describe('a change of membership', () => {
  it('takes effect on the next request: an admin demoted to member is refused with the same token', async () => {
    const org = await orgOf(people)
    const { token } = people.admin
    expect(
      (
        await client.api.orgs[':orgId'].$patch(
          { param: { orgId: org.orgId }, json: { name: 'By the admin' } },
          bearer(token),
        )
      ).status,
    ).toBe(200)

    const demoted = await changeRole(people.owner.token, org.orgId, people.admin.user.id, 'member')
    expect(demoted.status).toBe(200)

    const res = await client.api.orgs[':orgId'].$patch(
      { param: { orgId: org.orgId }, json: { name: 'By the admin, again' } },
      bearer(token),
    )
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual(FORBIDDEN)
    expect(
      await (await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(token))).json(),
    ).toMatchObject({
      name: 'By the admin',
      role: 'member',
    })
  })

  it('shuts a removed member out of that organization at once, and nothing else', async () => {
    const org = await orgOf(people)
    const { user, token } = people.member
    expect((await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(token))).status).toBe(200)

    expect(
      (
        await client.api.orgs[':orgId'].members[':userId'].$delete(
          { param: { orgId: org.orgId, userId: user.id } },
          bearer(people.owner.token),
        )
      ).status,
    ).toBe(204)

    for (const path of [`/api/orgs/${org.orgId}`, `/api/orgs/${org.orgId}/members`]) {
      const res = await request(path, { token })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual(ORG_NOT_FOUND)
    }
    expect((await client.api.auth.me.$get({}, bearer(token))).status).toBe(200)
    const { members } = await membersOf(people.owner.token, org.orgId)
    expect(members.map((member) => member.userId)).not.toContain(user.id)
  })
})
