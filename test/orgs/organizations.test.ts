import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { memberships } from '../../src/data/schema'
import { bearer, client, createUser, eventsAbout, newSession, okBody, request, uniqueName } from '../helpers'
import { accept, invite } from './invitation-helpers'
import {
  ALREADY_MEMBER,
  type Cast,
  cast,
  changesIn,
  createOrg,
  db,
  FORBIDDEN,
  join,
  LAST_OWNER,
  MEMBER_NOT_FOUND,
  membersOf,
  missingId,
  ORG_NOT_FOUND,
  orgOf,
  orgOwnedBy,
  ownersOf,
  roleIn,
  SLUG_TAKEN,
  stateOf,
  uniqueSlug,
} from './org-helpers'

describe('organizations', () => {
  const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
  const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

  let people: Cast
  beforeAll(async () => {
    people = await cast()
  })

  /** `GET /api/orgs` as the holder of `token`, typed by the route. */
  async function listOrgs(token: string, query: { all?: 'true' | 'false'; limit?: string; cursor?: string } = {}) {
    const res = await client.api.orgs.$get({ query }, bearer(token))
    if (res.status !== 200) expect.fail(`GET /api/orgs answered ${res.status}: ${await res.text()}`)
    return res.json()
  }

  describe('POST /api/orgs', () => {
    it('creates an organisation with its slug in lower case and its name trimmed, owned by the caller', async () => {
      const slug = uniqueSlug()
      const org = await createOrg(people.owner.token, { slug: slug.toUpperCase(), name: '  Acme Corporation ' })

      expect(org).toEqual({
        orgId: expect.stringMatching(UUID_V7),
        slug,
        name: 'Acme Corporation',
        role: 'owner',
        createdAt: expect.stringMatching(TIMESTAMP),
        updatedAt: org.createdAt,
      })
      expect(await (await request(`/api/orgs/${org.orgId}`, { token: people.owner.token })).json()).toEqual(org)
      const { members } = await membersOf(people.owner.token, org.orgId)
      expect(members).toEqual([
        {
          userId: people.owner.user.id,
          username: people.owner.user.username,
          email: people.owner.user.email,
          role: 'owner',
          joinedAt: org.createdAt,
        },
      ])
    })

    it('answers 409 org_slug_taken to a slug taken in any case, and creates nothing', async () => {
      const slug = uniqueSlug()
      await createOrg(people.owner.token, { slug, name: 'First' })
      const before = (await listOrgs(people.admin.token, { limit: '100' })).organizations

      for (const taken of [slug, slug.toUpperCase()]) {
        const res = await request('/api/orgs', {
          method: 'POST',
          token: people.admin.token,
          json: { slug: taken, name: 'Second' },
        })
        expect(res.status).toBe(409)
        expect(await res.json()).toEqual(SLUG_TAKEN)
      }
      expect((await listOrgs(people.admin.token, { limit: '100' })).organizations).toEqual(before)
    })
  })

  describe('GET /api/orgs', () => {
    it("lists the caller's own organisations, oldest first, with their role in each, a page at a time", async () => {
      const { user, token } = await newSession()
      const owned = await createOrg(token)
      const joined = await createOrg(people.owner.token)
      await join(joined.orgId, user.id, 'admin')
      const alsoOwned = await createOrg(token)
      await createOrg(people.owner.token)

      const first = await listOrgs(token, { limit: '2' })
      expect(first.nextCursor).toBe(joined.orgId)
      const rest = await listOrgs(token, { limit: '2', cursor: first.nextCursor ?? '' })
      expect(rest.nextCursor).toBeNull()
      expect([...first.organizations, ...rest.organizations]).toEqual([owned, { ...joined, role: 'admin' }, alsoOwned])
    })

    it('lists every organisation to a global admin with all=true, with role null where they are not a member', async () => {
      // Other tests may have filled the first pages: start right after an organisation made just before.
      const earlier = await createOrg(people.outsider.token)
      const org = await createOrg(people.owner.token)
      const mine = await createOrg(people.globalAdmin.token)
      const { organizations } = await listOrgs(people.globalAdmin.token, {
        all: 'true',
        limit: '100',
        cursor: earlier.orgId,
      })
      expect(organizations).toContainEqual({ ...org, role: null })
      expect(organizations).toContainEqual(mine)
      expect(
        (await listOrgs(people.globalAdmin.token, { all: 'false', limit: '100' })).organizations,
      ).not.toContainEqual(expect.objectContaining({ orgId: org.orgId }))
    })

    it.each(['owner', 'member', 'outsider'] as const)(
      'answers 403 to all=true from an organisation %s',
      async (who) => {
        await orgOf(people)
        const res = await request('/api/orgs?all=true', { token: people[who].token })
        expect(res.status).toBe(403)
        expect(await res.json()).toEqual(FORBIDDEN)
      },
    )
  })

  describe('GET /api/orgs/{orgId}', () => {
    it("shows the organisation with the caller's role there, null for a global admin who is not a member", async () => {
      const org = await orgOf(people)
      for (const [who, role] of [
        ['owner', 'owner'],
        ['admin', 'admin'],
        ['member', 'member'],
        ['globalAdmin', null],
      ] as const) {
        expect(await (await request(`/api/orgs/${org.orgId}`, { token: people[who].token })).json()).toEqual({
          ...org,
          role,
        })
      }
    })
  })

  describe('PATCH /api/orgs/{orgId}', () => {
    it('changes the slug (in lower case) and the name (trimmed), and moves updatedAt only', async () => {
      const org = await orgOf(people)
      const slug = uniqueSlug()
      const res = await request(`/api/orgs/${org.orgId}`, {
        method: 'PATCH',
        token: people.admin.token,
        json: {
          slug: slug.toUpperCase(),
          name: ' Acme Inc. ',
        },
      })
      expect(res.status).toBe(200)
      const changed = await res.json<typeof org>()
      expect(changed).toEqual({ ...org, slug, name: 'Acme Inc.', role: 'admin', updatedAt: expect.any(String) })
      expect(changed.updatedAt >= org.updatedAt).toBe(true)
      expect(await (await request(`/api/orgs/${org.orgId}`, { token: people.owner.token })).json()).toEqual({
        ...changed,
        role: 'owner',
      })
    })

    it("answers 409 org_slug_taken to another organisation's slug in any case, and changes nothing", async () => {
      const other = await createOrg(people.outsider.token)
      const org = await orgOf(people)
      const before = await stateOf(org.orgId)
      for (const slug of [other.slug, other.slug.toUpperCase()]) {
        const res = await request(`/api/orgs/${org.orgId}`, {
          method: 'PATCH',
          token: people.owner.token,
          json: { slug, name: 'Renamed' },
        })
        expect(res.status).toBe(409)
        expect(await res.json()).toEqual(SLUG_TAKEN)
      }
      expect(await stateOf(org.orgId)).toEqual(before)
    })

    it('takes its own slug in another case as no change at all', async () => {
      const org = await orgOf(people)
      const res = await request(`/api/orgs/${org.orgId}`, {
        method: 'PATCH',
        token: people.owner.token,
        json: {
          slug: org.slug.toUpperCase(),
          name: org.name,
        },
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ slug: org.slug, name: org.name })
      expect(await changesIn(org.orgId)).toEqual([])
    })
  })

  describe('DELETE /api/orgs/{orgId}', () => {
    it('deletes the organisation and every membership in it, and frees its slug', async () => {
      const org = await orgOf(people)
      expect((await request(`/api/orgs/${org.orgId}`, { method: 'DELETE', token: people.owner.token })).status).toBe(
        204,
      )

      for (const who of ['owner', 'member', 'globalAdmin'] as const) {
        const res = await request(`/api/orgs/${org.orgId}`, { token: people[who].token })
        expect(res.status).toBe(404)
        expect(await res.json()).toEqual(ORG_NOT_FOUND)
      }
      expect(await db.$count(memberships, eq(memberships.orgId, org.orgId))).toBe(0)
      expect((await listOrgs(people.member.token, { limit: '100' })).organizations).not.toContainEqual(
        expect.objectContaining({ orgId: org.orgId }),
      )
      expect((await createOrg(people.outsider.token, { slug: org.slug, name: 'Reborn' })).orgId).not.toBe(org.orgId)
    })
  })
})

describe('members', () => {
  const USER_NOT_FOUND = { error: 'User not found', code: 'user_not_found' }

  let people: Cast
  beforeAll(async () => {
    people = await cast()
  })

  /** The member `user` as the API shows them, with `role`. */
  const asMember = (user: { id: string; username: string; email: string }, role: string) => ({
    userId: user.id,
    username: user.username,
    email: user.email,
    role,
    joinedAt: expect.stringMatching(/Z$/),
  })

  describe('POST /api/orgs/{orgId}/members', () => {
    it.each([
      ['username', (u: { username: string }) => u.username],
      ['username in upper case', (u: { username: string }) => u.username.toUpperCase()],
      ['email in upper case', (u: { email: string }) => u.email.toUpperCase()],
      ['email, padded with spaces', (u: { email: string }) => `  ${u.email}  `],
      ['userId', (u: { id: string }) => u.id],
      ['userId in upper case', (u: { id: string }) => u.id.toUpperCase()],
    ])('adds an existing account named by its %s', async (_how, reference) => {
      const org = await orgOf(people)
      const user = await createUser({ username: uniqueName('Mixed') })
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: people.globalAdmin.token,
        json: {
          user: reference(user),
          role: 'member',
        },
      })
      expect(res.status).toBe(201)
      const added = await res.json<ReturnType<typeof asMember>>()
      expect(added).toEqual(asMember(user, 'member'))
      // Another member sees them, but not their email.
      expect((await membersOf(people.member.token, org.orgId)).members).toContainEqual({ ...added, email: null })
    })

    it('answers 409 already_member to a member, however named and whatever the role, and changes nothing', async () => {
      const org = await orgOf(people)
      const before = await stateOf(org.orgId)
      const { user } = people.member
      for (const reference of [user.username, user.email.toUpperCase(), user.id]) {
        const res = await request(`/api/orgs/${org.orgId}/members`, {
          method: 'POST',
          token: people.globalAdmin.token,
          json: {
            user: reference,
            role: 'owner',
          },
        })
        expect(res.status).toBe(409)
        expect(await res.json()).toEqual(ALREADY_MEMBER)
      }
      expect(await stateOf(org.orgId)).toEqual(before)
    })

    it.each([
      ['username', () => uniqueName('ghost')],
      ['email', () => `${uniqueName('ghost')}@example.com`],
      ['userId', () => missingId()],
    ])('answers 404 user_not_found to an unknown %s', async (_how, reference) => {
      const org = await orgOf(people)
      const before = await stateOf(org.orgId)
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: people.globalAdmin.token,
        json: {
          user: reference(),
          role: 'member',
        },
      })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual(USER_NOT_FOUND)
      expect(await stateOf(org.orgId)).toEqual(before)
    })
  })

  describe('GET /api/orgs/{orgId}/members', () => {
    it('lists every member once, in user id order, a page at a time', async () => {
      const org = await orgOf(people)
      const late = await createUser()
      await join(org.orgId, late.id, 'admin')

      const { owner, admin, member } = people
      // A plain member reads the page: their own email only.
      const expected = [
        { ...asMember(owner.user, 'owner'), email: null },
        { ...asMember(admin.user, 'admin'), email: null },
        asMember(member.user, 'member'),
        { ...asMember(late, 'admin'), email: null },
      ].sort((a, b) => a.userId.localeCompare(b.userId))

      const first = await membersOf(people.member.token, org.orgId, { limit: '3' })
      expect(first.nextCursor).toBe(expected[2].userId)
      const rest = await membersOf(people.member.token, org.orgId, { limit: '3', cursor: first.nextCursor ?? '' })
      expect(rest.nextCursor).toBeNull()
      expect([...first.members, ...rest.members]).toEqual(expected)
    })
  })

  describe('PATCH /api/orgs/{orgId}/members/{userId}', () => {
    it('changes the role and answers the member', async () => {
      const org = await orgOf(people)
      const { user } = people.member
      const res = await request(`/api/orgs/${org.orgId}/members/${user.id}`, {
        method: 'PATCH',
        token: people.admin.token,
        json: {
          role: 'admin',
        },
      })
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual(asMember(user, 'admin'))
      expect(await roleIn(org.orgId, user.id)).toBe('admin')
    })

    it.each([
      ['an account that is not a member', async () => (await createUser()).id],
      ['no account at all', async () => missingId()],
    ])('answers 404 member_not_found for %s', async (_what, userId) => {
      const org = await orgOf(people)
      for (const [method, body] of [
        ['PATCH', { role: 'admin' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await request(`/api/orgs/${org.orgId}/members/${await userId()}`, {
          method,
          token: people.owner.token,
          json: body,
        })
        expect(res.status).toBe(404)
        expect(await res.json()).toEqual(MEMBER_NOT_FOUND)
      }
    })
  })

  describe('leaving an organisation', () => {
    it.each(['member', 'admin'] as const)('is open to its %s', async (who) => {
      const org = await orgOf(people)
      const { user, token } = people[who]
      expect((await request(`/api/orgs/${org.orgId}/members/${user.id}`, { method: 'DELETE', token })).status).toBe(204)
      expect(await roleIn(org.orgId, user.id)).toBeUndefined()
    })

    it('is open to an owner while another owner stays', async () => {
      const org = await orgOf(people)
      await request(`/api/orgs/${org.orgId}/members/${people.admin.user.id}`, {
        method: 'PATCH',
        token: people.owner.token,
        json: {
          role: 'owner',
        },
      })
      const { user, token } = people.owner
      expect((await request(`/api/orgs/${org.orgId}/members/${user.id}`, { method: 'DELETE', token })).status).toBe(204)
      expect(await ownersOf(org.orgId)).toBe(1)
    })

    it.each([
      ['leave', 'DELETE', undefined, 'owner'],
      ['step down', 'PATCH', { role: 'admin' }, 'owner'],
      ['be removed by a global admin', 'DELETE', undefined, 'globalAdmin'],
      ['be demoted by a global admin', 'PATCH', { role: 'member' }, 'globalAdmin'],
    ] as const)(
      'is refused to the only owner: they cannot %s (409 last_owner, with a hint)',
      async (_what, method, body, by) => {
        const org = await orgOf(people)
        const before = await stateOf(org.orgId)
        const res = await request(`/api/orgs/${org.orgId}/members/${people.owner.user.id}`, {
          method,
          token: people[by].token,
          json: body,
        })
        expect(res.status).toBe(409)
        expect(await res.json()).toEqual(LAST_OWNER)
        expect(await stateOf(org.orgId)).toEqual(before)
      },
    )
  })

  describe('deleting an account that belongs to organisations', () => {
    const deleteUser = (id: string) =>
      request(`/api/users/${id}`, { method: 'DELETE', token: people.globalAdmin.token })

    it('is refused with 409 last_owner while it is the only owner of one, and deletes nothing', async () => {
      const owner = await createUser()
      const org = await orgOwnedBy(owner.id)
      await join(org.orgId, people.member.user.id, 'admin')
      const before = await stateOf(org.orgId)

      const res = await deleteUser(owner.id)
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual(LAST_OWNER)
      expect((await request(`/api/users/${owner.id}`, { token: people.globalAdmin.token })).status).toBe(200)
      expect(await stateOf(org.orgId)).toEqual(before)
      expect((await eventsAbout(owner.id)).map((event) => event.type)).not.toContain('user_deleted')
    })

    it('takes a plain member out of every organisation they were in', async () => {
      const org = await orgOf(people)
      const other = await orgOf(people)
      const user = await createUser()
      await join(org.orgId, user.id, 'member')
      await join(other.orgId, user.id, 'admin')

      expect((await deleteUser(user.id)).status).toBe(204)
      for (const { orgId } of [org, other]) {
        const { members } = await membersOf(people.owner.token, orgId)
        expect(members.map((member) => member.userId)).not.toContain(user.id)
        expect(members).toHaveLength(3)
      }
    })

    it('is allowed once another member is made an owner, who then owns it alone', async () => {
      const owner = await createUser()
      const org = await orgOwnedBy(owner.id)
      const heir = await createUser()
      await join(org.orgId, heir.id, 'member')
      expect((await deleteUser(owner.id)).status).toBe(409)

      const promoted = await request(`/api/orgs/${org.orgId}/members/${heir.id}`, {
        method: 'PATCH',
        token: people.globalAdmin.token,
        json: {
          role: 'owner',
        },
      })
      expect(promoted.status).toBe(200)
      expect((await deleteUser(owner.id)).status).toBe(204)

      expect((await membersOf(people.globalAdmin.token, org.orgId)).members).toEqual([asMember(heir, 'owner')])
      expect(await changesIn(org.orgId)).toEqual(['member_role_changed'])
    })
  })
})

describe('the audit trail', () => {
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

  describe('each change to an organisation', () => {
    it('writes exactly one event, about the member it changed (none for the organisation), by whom', async () => {
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
          () => request(`/api/orgs/${orgId}`, { method: 'PATCH', token: owner.token, json: { name: 'Renamed' } }),
        ],
        [
          'add',
          () =>
            request(`/api/orgs/${orgId}/members`, {
              method: 'POST',
              token: globalAdmin.token,
              json: { user: admin.user.id, role: 'admin' },
            }),
        ],
        ['invite', () => inviting(newcomer.user.username)],
        ['accept', () => accept(newcomer.token, sent[newcomer.user.username])],
        ['invite', () => inviting(other.username)],
        [
          'revoke',
          () =>
            request(`/api/orgs/${orgId}/invitations/${sent[other.username]}`, { method: 'DELETE', token: owner.token }),
        ],
        [
          'promote',
          () =>
            request(`/api/orgs/${orgId}/members/${newcomer.user.id}`, {
              method: 'PATCH',
              token: admin.token,
              json: { role: 'admin' },
            }),
        ],
        [
          'remove',
          () => request(`/api/orgs/${orgId}/members/${newcomer.user.id}`, { method: 'DELETE', token: owner.token }),
        ],
        [
          'leave',
          () => request(`/api/orgs/${orgId}/members/${admin.user.id}`, { method: 'DELETE', token: admin.token }),
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

    it('writes nothing when it changes nothing: a role or a name set to what it is', async () => {
      const org = await orgOf(people)
      const { member } = people
      const same = await request(`/api/orgs/${org.orgId}/members/${member.user.id}`, {
        method: 'PATCH',
        token: people.owner.token,
        json: {
          role: 'member',
        },
      })
      expect(same.status).toBe(200)
      expect(await same.json()).toMatchObject({ userId: member.user.id, role: 'member' })
      expect(
        (
          await request(`/api/orgs/${org.orgId}`, {
            method: 'PATCH',
            token: people.admin.token,
            json: { name: org.name },
          })
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
        const res = await request(`/api/orgs/${orgId}/members`, {
          method: 'POST',
          token: people.globalAdmin.token,
          json: {
            user: user.id,
            role: 'member',
          },
        })
        expect(res.status).toBe(201)
      }
      const promoted = await request(`/api/orgs/${orgId}/members/${added[0].id}`, {
        method: 'PATCH',
        token: people.owner.token,
        json: {
          role: 'admin',
        },
      })
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

  describe('a deleted organisation', () => {
    it('leaves its org_deleted event in the global audit trail, and its own listing answers 404', async () => {
      const org = await orgOf(people)
      expect((await request(`/api/orgs/${org.orgId}`, { method: 'DELETE', token: people.owner.token })).status).toBe(
        204,
      )

      const { events } = await okBody(
        await client.api['audit-events'].$get(
          { query: { type: 'org_deleted', limit: '100' } },
          bearer(people.globalAdmin.token),
        ),
      )
      expect(events.filter((event) => event.orgId === org.orgId)).toEqual([
        expect.objectContaining({ type: 'org_deleted', userId: null, actorUserId: people.owner.user.id }),
      ])
      const gone = await request(`/api/orgs/${org.orgId}/audit-events`, { token: people.globalAdmin.token })
      expect(gone.status).toBe(404)
      expect(await gone.json()).toEqual(ORG_NOT_FOUND)
    })
  })
})
