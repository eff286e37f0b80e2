import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, client, createUser, newSession, okBody, request } from '../helpers'
import { accept, invite } from './invitation-helpers'
import {
  type Cast,
  cast,
  changeRole,
  changesIn,
  createOrg,
  missingId,
  ORG_NOT_FOUND,
  orgOf,
  stateOf,
} from './org-helpers'

let people: Cast
beforeAll(async () => {
  people = await cast()
})

type EventQuery = { userId?: string; type?: 'member_added'; limit?: string; cursor?: string }

/** `GET /api/orgs/{orgId}/audit-events` as the holder of `token`, typed by the route. */
async function eventsIn(token: string, orgId: string, query: EventQuery = {}) {
  const res = await client.api.orgs[':orgId']['audit-events'].$get({ param: { orgId }, query }, bearer(token))
  if (res.status !== 200) expect.fail(`GET audit-events answered ${res.status}: ${await res.text()}`)
  return res.json()
}

/** Every event of `orgId`, newest first, read `limit` at a time. */
async function allEventsIn(token: string, orgId: string, query: EventQuery = {}) {
  const events = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<typeof eventsIn>> = await eventsIn(token, orgId, {
      ...query,
      ...(cursor ? { cursor } : {}),
    })
    events.push(...page.events)
    cursor = page.nextCursor
  } while (cursor)
  return events
}

describe('each change to an organization', () => {
  it('writes exactly one event, about the member it changed (none for the organization), by whom', async () => {
    const { owner, admin, globalAdmin } = people
    const org = await createOrg(owner.token)
    const [newcomer, other] = await Promise.all([newSession(), createUser()])
    const orgId = org.orgId
    // The invitations the steps send, by the username each is to.
    const sent: Record<string, string> = {}
    const inviting = async (user: string) => {
      const res = await invite(admin.token, orgId, { user, role: 'member' })
      sent[user] = ((await res.clone().json()) as { invitationId: string }).invitationId
      return res
    }
    const steps: [string, () => Promise<{ status: number }>][] = [
      [
        'rename',
        () => client.api.orgs[':orgId'].$patch({ param: { orgId }, json: { name: 'Renamed' } }, bearer(owner.token)),
      ],
      [
        'add',
        () =>
          client.api.orgs[':orgId'].members.$post(
            { param: { orgId }, json: { user: admin.user.id, role: 'admin' } },
            bearer(globalAdmin.token),
          ),
      ],
      ['invite', () => inviting(newcomer.user.username)],
      ['accept', () => accept(newcomer.token, sent[newcomer.user.username])],
      ['invite', () => inviting(other.username)],
      [
        'revoke',
        () =>
          client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
            { param: { orgId, invitationId: sent[other.username] } },
            bearer(owner.token),
          ),
      ],
      [
        'promote',
        () =>
          client.api.orgs[':orgId'].members[':userId'].$patch(
            { param: { orgId, userId: newcomer.user.id }, json: { role: 'admin' } },
            bearer(admin.token),
          ),
      ],
      [
        'remove',
        () =>
          client.api.orgs[':orgId'].members[':userId'].$delete(
            { param: { orgId, userId: newcomer.user.id } },
            bearer(owner.token),
          ),
      ],
      [
        'leave',
        () =>
          client.api.orgs[':orgId'].members[':userId'].$delete(
            { param: { orgId, userId: admin.user.id } },
            bearer(admin.token),
          ),
      ],
    ]
    const expected = [
      { type: 'org_updated', userId: null, actorUserId: owner.user.id },
      { type: 'member_added', userId: admin.user.id, actorUserId: globalAdmin.user.id },
      { type: 'invitation_created', userId: null, actorUserId: admin.user.id },
      { type: 'invitation_accepted', userId: newcomer.user.id, actorUserId: newcomer.user.id },
      { type: 'invitation_created', userId: null, actorUserId: admin.user.id },
      { type: 'invitation_revoked', userId: null, actorUserId: owner.user.id },
      { type: 'member_role_changed', userId: newcomer.user.id, actorUserId: admin.user.id },
      { type: 'member_removed', userId: newcomer.user.id, actorUserId: owner.user.id },
      { type: 'member_removed', userId: admin.user.id, actorUserId: admin.user.id },
    ]

    const first = await eventsIn(owner.token, orgId)
    expect(first).toEqual({
      events: [
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          type: 'org_created',
          userId: owner.user.id,
          actorUserId: owner.user.id,
          ip: null,
          userAgent: null,
          orgId,
          apiKeyId: null,
        },
      ],
      nextCursor: null,
    })
    for (const [index, [step, request]] of steps.entries()) {
      expect((await request()).status, step).toBeLessThan(300)
      const { events } = await eventsIn(owner.token, orgId)
      expect(events, step).toHaveLength(index + 2)
      expect(events[0], step).toMatchObject({ ...expected[index], orgId })
    }
  })
})

describe('a change to an organization that changes nothing, or is refused', () => {
  it('writes nothing when it changes nothing: a role or a name set to what it is', async () => {
    const org = await orgOf(people)
    const { member } = people
    const same = await changeRole(people.owner.token, org.orgId, member.user.id, 'member')
    expect(same.status).toBe(200)
    expect(await same.json()).toMatchObject({ userId: member.user.id, role: 'member' })
    expect(
      (
        await client.api.orgs[':orgId'].$patch(
          { param: { orgId: org.orgId }, json: { name: org.name } },
          bearer(people.admin.token),
        )
      ).status,
    ).toBe(200)
    expect(await changesIn(org.orgId)).toEqual([])
  })

  it.each([
    ['an admin inviting an owner', 403, 'admin', 'POST', '/invitations', { user: 'newcomer', role: 'owner' }],
    [
      'an owner adding a member without an invitation',
      403,
      'owner',
      'POST',
      '/members',
      { user: '{outsider}', role: 'member' },
    ],
    ['a member renaming it', 403, 'member', 'PATCH', '', { name: 'Mine' }],
    ['the only owner stepping down', 409, 'owner', 'PATCH', '/members/{owner}', { role: 'member' }],
    ['the only owner leaving', 409, 'owner', 'DELETE', '/members/{owner}', undefined],
    ['adding a member again', 409, 'globalAdmin', 'POST', '/members', { user: '{member}', role: 'admin' }],
    ['taking a slug that is taken', 409, 'admin', 'PATCH', '', { slug: '{taken}' }],
    [
      'adding an unknown account',
      404,
      'globalAdmin',
      'POST',
      '/members',
      { user: 'nobody-at-all-here', role: 'member' },
    ],
    ['changing a non-member', 404, 'admin', 'PATCH', '/members/{outsider}', { role: 'admin' }],
    ['revoking an invitation that does not exist', 404, 'admin', 'DELETE', '/invitations/{missing}', undefined],
  ] as const)('writes nothing when refused: %s (%i)', async (_what, status, who, method, suffix, body) => {
    const org = await orgOf(people)
    const taken = await createOrg(people.outsider.token)
    const fill = (text: string) =>
      text
        .replace('{owner}', people.owner.user.id)
        .replace('{member}', people.member.user.id)
        .replace('{outsider}', people.outsider.user.id)
        .replace('{taken}', taken.slug)
        .replace('{missing}', missingId())
    const before = await stateOf(org.orgId)
    const filled = body && Object.fromEntries(Object.entries(body).map(([key, value]) => [key, fill(value)]))
    const res = await request(`/api/orgs/${org.orgId}${fill(suffix)}`, {
      method,
      token: people[who].token,
      json: filled,
    })
    expect(res.status).toBe(status)
    expect(await stateOf(org.orgId)).toEqual(before)
  })
})

describe('GET /api/orgs/{orgId}/audit-events', () => {
  let orgId: string
  let added: { id: string }[]
  beforeAll(async () => {
    ;({ orgId } = await createOrg(people.owner.token))
    added = await Promise.all([createUser(), createUser(), createUser()])
    for (const user of added) {
      const res = await client.api.orgs[':orgId'].members.$post(
        {
          param: { orgId },
          json: {
            user: user.id,
            role: 'member',
          },
        },
        bearer(people.globalAdmin.token),
      )
      expect(res.status).toBe(201)
    }
    const promoted = await client.api.orgs[':orgId'].members[':userId'].$patch(
      {
        param: { orgId, userId: added[0].id },
        json: {
          role: 'admin',
        },
      },
      bearer(people.owner.token),
    )
    expect(promoted.status).toBe(200)
  })

  it('lists every event once, newest first, a page at a time', async () => {
    const events = await allEventsIn(people.owner.token, orgId, { limit: '2' })
    expect(events.map((event) => event.type)).toEqual([
      'member_role_changed',
      'member_added',
      'member_added',
      'member_added',
      'org_created',
    ])
    const ids = events.map((event) => event.id)
    expect(ids).toEqual([...ids].sort().reverse())
    expect(events.every((event) => event.orgId === orgId)).toBe(true)
  })

  it('filters by type and by the member the events are about, their userId in either case', async () => {
    const byType = await allEventsIn(people.owner.token, orgId, { type: 'member_added', limit: '1' })
    expect(byType.map((event) => event.userId)).toEqual(added.map((user) => user.id).reverse())

    const aboutOne = await eventsIn(people.owner.token, orgId, { userId: added[0].id.toUpperCase() })
    expect(aboutOne.events.map((event) => [event.type, event.userId])).toEqual([
      ['member_role_changed', added[0].id],
      ['member_added', added[0].id],
    ])
    const both = await eventsIn(people.owner.token, orgId, { userId: added[0].id, type: 'member_added' })
    expect(both.events).toHaveLength(1)
  })
})

describe('a deleted organization', () => {
  it('leaves its org_deleted event in the global audit trail, and its own listing answers 404', async () => {
    const org = await orgOf(people)
    expect(
      (await client.api.orgs[':orgId'].$delete({ param: { orgId: org.orgId } }, bearer(people.owner.token))).status,
    ).toBe(204)

    const { events } = await okBody(
      await client.api['audit-events'].$get(
        { query: { type: 'org_deleted', limit: '100' } },
        bearer(people.globalAdmin.token),
      ),
    )
    expect(events.filter((event) => event.orgId === org.orgId)).toEqual([
      expect.objectContaining({ type: 'org_deleted', userId: null, actorUserId: people.owner.user.id }),
    ])
    const gone = await client.api.orgs[':orgId']['audit-events'].$get(
      { param: { orgId: org.orgId }, query: {} },
      bearer(people.globalAdmin.token),
    )
    expect(gone.status).toBe(404)
    expect(await gone.json()).toEqual(ORG_NOT_FOUND)
  })
})
