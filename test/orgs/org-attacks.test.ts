import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { invitations, memberships, organizations, users } from '../../src/data/schema'
import { createUser, newSession, request, type Session } from '../helpers'
import {
  ALREADY_MEMBER,
  changesIn,
  createOrg,
  db,
  emailOf,
  heldD1,
  join,
  LAST_OWNER,
  MEMBER_NOT_FOUND,
  membersOf,
  ORG_NOT_FOUND,
  ownersOf,
  roleIn,
  SLUG_TAKEN,
  stateOf,
  statusCounts,
  uniqueSlug,
} from './org-helpers'

describe('input limits', () => {
  /**
   * The owner of every organisation here, and a global admin, the only caller who may add a member
   * without an invitation: between them they may send everything, so that only the input decides.
   */
  let owner: Session
  let operator: Session
  beforeAll(async () => {
    ;[owner, operator] = await Promise.all([newSession(), newSession('admin')])
  })

  const invalid = (...paths: string[]) => ({
    error: 'Invalid request',
    code: 'validation_error',
    details: paths.map((path) => ({ path, message: expect.any(String) })),
  })

  /** `length` characters of a slug: letters of both cases, digits, `.`, `_` and `-`, unique to this test. */
  const slugOf = (length: number) => `${uniqueSlug()}.Slug_`.padEnd(length, 'x').slice(-length)

  describe('the largest input allowed', () => {
    it('is taken: a slug of 32 characters and a name of 100, on creation and on change', async () => {
      const slug = slugOf(32)
      const name = 'N'.repeat(100)
      const org = await createOrg(owner.token, { slug, name })
      expect(org).toMatchObject({ slug: slug.toLowerCase(), name })

      const other = { slug: slugOf(32), name: 'M'.repeat(100) }
      const res = await request(`/api/orgs/${org.orgId}`, { method: 'PATCH', token: owner.token, json: other })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ slug: other.slug.toLowerCase(), name: other.name })
    })

    it('is taken: a user reference of 254 characters, the email of an account', async () => {
      const email = emailOf(254)
      expect(email).toHaveLength(254)
      const user = await createUser({ email })
      const org = await createOrg(owner.token)
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: operator.token,
        json: {
          user: email.toUpperCase(),
          role: 'member',
        },
      })
      expect(res.status).toBe(201)
      expect(await res.json()).toMatchObject({ userId: user.id, email })
    })
  })

  describe('one character over', () => {
    it.each([
      ['a slug of 33', () => ({ slug: slugOf(33), name: 'Acme' }), 'slug'],
      ['a name of 101', () => ({ slug: uniqueSlug(), name: 'N'.repeat(101) }), 'name'],
    ])('is refused with 400 validation_error: %s on creation and on change', async (_what, body, field) => {
      const org = await createOrg(owner.token)
      const before = await stateOf(org.orgId)
      for (const [method, path] of [
        ['POST', '/api/orgs'],
        ['PATCH', `/api/orgs/${org.orgId}`],
      ]) {
        const res = await request(path, { method, token: owner.token, json: body() })
        expect(res.status).toBe(400)
        expect(await res.json()).toEqual(invalid(field))
      }
      expect(await stateOf(org.orgId)).toEqual(before)
    })

    it('is refused with 400 validation_error: a user reference of 255', async () => {
      const org = await createOrg(owner.token)
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: operator.token,
        json: {
          user: emailOf(255),
          role: 'member',
        },
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual(invalid('user'))
    })
  })

  describe('a malformed body', () => {
    it.each([
      ['a slug of 2 characters', { slug: 'ab', name: 'Acme' }],
      ['a slug with a space', { slug: 'ac me', name: 'Acme' }],
      ['a slug with a slash', { slug: 'ac/me', name: 'Acme' }],
      ['a slug with a letter outside ASCII', { slug: 'ácme-corp', name: 'Acme' }],
      ['no name', { slug: 'acme-nameless' }],
      ['a field it does not know', { slug: 'acme-extra', name: 'Acme', owner: 'me' }],
      ['a number for a name', { slug: 'acme-number', name: 42 }],
    ])('is refused with 400 on creation: %s', async (_what, body) => {
      const res = await request('/api/orgs', { method: 'POST', token: owner.token, json: body })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'validation_error' })
    })

    it.each([
      ['nothing to change', 'PATCH', '', {}],
      ['a field it does not know', 'PATCH', '', { name: 'Acme', plan: 'gold' }],
      ['a role that does not exist', 'POST', '/members', { user: 'someone', role: 'superowner' }],
      ['an empty user', 'POST', '/members', { user: '', role: 'member' }],
      ['no role', 'POST', '/members', { user: 'someone' }],
      ['a role that does not exist', 'POST', '/invitations', { user: 'someone', role: 'superowner' }],
      ['an empty user', 'POST', '/invitations', { user: '', role: 'member' }],
      ['no role', 'POST', '/invitations', { user: 'someone' }],
      ['a role that does not exist', 'PATCH', '/members/{member}', { role: 'superowner' }],
      ['a field it does not know', 'PATCH', '/members/{member}', { role: 'admin', until: 'tomorrow' }],
    ])('is refused with 400, changing nothing: %s in %s /api/orgs/{orgId}%s', async (_what, method, suffix, body) => {
      const org = await createOrg(owner.token)
      const member = await createUser()
      await join(org.orgId, member.id, 'member')
      const before = await stateOf(org.orgId)
      // A direct add's body is read only past its guard, which lets global admins alone through.
      const caller = method === 'POST' && suffix === '/members' ? operator : owner
      const res = await request(`/api/orgs/${org.orgId}${suffix.replace('{member}', member.id)}`, {
        method,
        token: caller.token,
        json: body,
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'validation_error' })
      expect(await stateOf(org.orgId)).toEqual(before)
    })
  })

  describe('ids in the path', () => {
    let orgId: string
    let memberId: string
    beforeAll(async () => {
      ;({ orgId } = await createOrg(owner.token))
      memberId = (await createUser()).id
      await join(orgId, memberId, 'member')
    })

    const malformed = [
      ['not an id', 'not-a-uuid'],
      ['a UUIDv4', '4f1d2c3b-5a69-4e7f-8a9b-0c1d2e3f4a5b'],
      ['a UUIDv7 one character short', '019ac1f2-7a3b-7cde-8f01-23456789abc'],
      ['a UUIDv7 with a quote', "019ac1f2-7a3b-7cde-8f01-23456789abc'"],
    ]
    const endpoints: [string, string, (org: string, user: string) => string, unknown?][] = [
      ['GET', '{orgId}', (org) => `/api/orgs/${org}`],
      ['PATCH', '{orgId}', (org) => `/api/orgs/${org}`, { name: 'Acme' }],
      ['DELETE', '{orgId}', (org) => `/api/orgs/${org}`],
      ['GET', '{orgId}/members', (org) => `/api/orgs/${org}/members`],
      ['POST', '{orgId}/members', (org) => `/api/orgs/${org}/members`, { user: 'someone', role: 'member' }],
      ['PATCH', '{orgId}/members/{userId}', (org, user) => `/api/orgs/${org}/members/${user}`, { role: 'admin' }],
      ['DELETE', '{orgId}/members/{userId}', (org, user) => `/api/orgs/${org}/members/${user}`],
      ['GET', '{orgId}/audit-events', (org) => `/api/orgs/${org}/audit-events`],
      ['POST', '{orgId}/invitations', (org) => `/api/orgs/${org}/invitations`, { user: 'someone', role: 'member' }],
      ['GET', '{orgId}/invitations', (org) => `/api/orgs/${org}/invitations`],
      // A well-formed id stands for the invitation's: only the orgId is wrong.
      ['DELETE', '{orgId}/invitations/{invitationId}', (org, user) => `/api/orgs/${org}/invitations/${user}`],
    ]

    it.each(
      malformed.flatMap(([what, id]) =>
        endpoints.map(([method, route, path, body]) => [what, method, route, path, body, id] as const),
      ),
    )(
      'are refused with 400 when the orgId is %s, in %s /api/orgs/%s',
      async (_what, method, _route, path, body, id) => {
        const before = await stateOf(orgId)
        const res = await request(path(encodeURIComponent(id), memberId), { method, token: owner.token, json: body })
        expect(res.status).toBe(400)
        expect(await res.json()).toMatchObject({ code: 'validation_error', details: [{ path: 'orgId' }] })
        expect(await stateOf(orgId)).toEqual(before)
      },
    )

    it.each(malformed)('are refused with 400 when the userId is %s', async (_what, id) => {
      for (const [method, body] of [
        ['PATCH', { role: 'admin' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await request(`/api/orgs/${orgId}/members/${encodeURIComponent(id)}`, {
          method,
          token: owner.token,
          json: body,
        })
        expect(res.status).toBe(400)
        expect(await res.json()).toMatchObject({ code: 'validation_error', details: [{ path: 'userId' }] })
      }
      expect(await changesIn(orgId)).toEqual([])
    })

    it('are taken in upper case, and answered in lower case', async () => {
      const org = await createOrg(owner.token)
      const member = await createUser()
      await join(org.orgId, member.id, 'member')
      const [ORG, MEMBER] = [org.orgId.toUpperCase(), member.id.toUpperCase()]

      expect(await (await request(`/api/orgs/${ORG}`, { token: owner.token })).json()).toEqual(org)
      const changed = await request(`/api/orgs/${ORG}/members/${MEMBER}`, {
        method: 'PATCH',
        token: owner.token,
        json: { role: 'admin' },
      })
      expect(changed.status).toBe(200)
      expect(await changed.json()).toMatchObject({ userId: member.id, role: 'admin' })
      const page = await membersOf(owner.token, ORG, { limit: '1', cursor: owner.user.id.toUpperCase() })
      expect(page.members.map((m) => m.userId)).toEqual([member.id])
      expect(
        (await request(`/api/orgs/${ORG}/members/${MEMBER}`, { method: 'DELETE', token: owner.token })).status,
      ).toBe(204)
      expect(await changesIn(org.orgId)).toEqual(['member_role_changed', 'member_removed'])
    })
  })

  describe('the query string of a listing', () => {
    it.each([
      ['GET /api/orgs', () => '/api/orgs?role=owner'],
      ['GET /api/orgs', () => '/api/orgs?all=yes'],
      ['GET /api/orgs', () => '/api/orgs?limit=101'],
      ['GET /api/orgs', () => '/api/orgs?cursor=acme'],
      ['GET members', (org: string) => `/api/orgs/${org}/members?role=owner`],
      ['GET members', (org: string) => `/api/orgs/${org}/members?limit=0`],
      ['GET members', (org: string) => `/api/orgs/${org}/members?limit=ten`],
      ['GET audit events', (org: string) => `/api/orgs/${org}/audit-events?since=yesterday`],
      ['GET audit events', (org: string) => `/api/orgs/${org}/audit-events?type=party`],
      ['GET audit events', (org: string) => `/api/orgs/${org}/audit-events?userId=42`],
    ])('refuses what it does not know, with 400: %s', async (_what, path) => {
      const org = await createOrg(owner.token)
      const res = await request(path(org.orgId), { token: owner.token })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: 'validation_error' })
    })
  })

  // The server trims a name and a user reference before checking them; the OpenAPI document's
  // minLength and maxLength are of the string as sent. Every answer is checked against the document.
  describe('spaces around a name or a user reference', () => {
    it('leave a blank name refused with 400, by the server and the document alike', async () => {
      const org = await createOrg(owner.token)
      for (const [method, path] of [
        ['POST', '/api/orgs'],
        ['PATCH', `/api/orgs/${org.orgId}`],
      ]) {
        const res = await request(path, { method, token: owner.token, json: { slug: uniqueSlug(), name: '   ' } })
        expect(res.status).toBe(400)
        expect(await res.json()).toEqual(invalid('name'))
      }
    })

    it('leave a blank user reference refused with 400, by the server and the document alike', async () => {
      const org = await createOrg(owner.token)
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: operator.token,
        json: { user: '   ', role: 'member' },
      })
      expect(res.status).toBe(400)
      expect(await res.json()).toEqual(invalid('user'))
    })

    it('around a name of 100 characters, are answered as the document says', async () => {
      const res = await request('/api/orgs', {
        method: 'POST',
        token: owner.token,
        json: { slug: uniqueSlug(), name: ` ${'N'.repeat(100)} ` },
      })
      // Taken and trimmed, or refused: either, so long as the document says the same.
      expect([201, 400]).toContain(res.status)
    })

    it('around a user reference of 254 characters, are answered as the document says', async () => {
      const org = await createOrg(owner.token)
      const email = emailOf(254)
      await createUser({ email })
      const res = await request(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: operator.token,
        json: {
          user: ` ${email} `,
          role: 'member',
        },
      })
      expect([201, 400]).toContain(res.status)
    })
  })
})

describe('races', () => {
  const ROUNDS = 5
  const AT_ONCE = 50

  /**
   * Two owners of organisations made for each round, and two global admins, who alone add members
   * without an invitation: signed in once for the file.
   */
  let a: Session
  let b: Session
  let operators: Session[]
  beforeAll(async () => {
    ;[a, b, ...operators] = await Promise.all([newSession(), newSession(), newSession('admin'), newSession('admin')])
  })

  /** A new organisation owned by both `a` and `b`. */
  async function coOwned() {
    const org = await createOrg(a.token)
    await join(org.orgId, b.user.id, 'owner')
    return org
  }

  describe('the last owner', () => {
    it('survives two owners demoting each other at the same moment: one wins, one event', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { orgId } = await coOwned()
        const answers = await Promise.all([
          request(`/api/orgs/${orgId}/members/${b.user.id}`, {
            method: 'PATCH',
            token: a.token,
            json: { role: 'member' },
          }),
          request(`/api/orgs/${orgId}/members/${a.user.id}`, {
            method: 'PATCH',
            token: b.token,
            json: { role: 'member' },
          }),
        ])
        const statuses = answers.map((res) => res.status).sort()
        // The loser is refused as the last owner, or, if the winner wrote first, is no owner any more.
        expect(statuses[0]).toBe(200)
        expect([403, 409]).toContain(statuses[1])
        expect(await ownersOf(orgId)).toBe(1)
        expect(await changesIn(orgId)).toEqual(['member_role_changed'])
      }
    })

    it('survives two owners leaving at the same moment: one goes, the other is told 409 last_owner', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { orgId } = await coOwned()
        const answers = await Promise.all([
          request(`/api/orgs/${orgId}/members/${a.user.id}`, { method: 'DELETE', token: a.token }),
          request(`/api/orgs/${orgId}/members/${b.user.id}`, { method: 'DELETE', token: b.token }),
        ])
        expect(statusCounts(answers)).toEqual({ 204: 1, 409: 1 })
        const refused = answers.find((res) => res.status === 409)
        expect(await refused?.json()).toEqual(LAST_OWNER)
        expect(await ownersOf(orgId)).toBe(1)
        expect(await changesIn(orgId)).toEqual(['member_removed'])
      }
    })
  })

  describe('a change racing another', () => {
    it('writes an event only for what happened: a member promoted while being removed', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { orgId } = await coOwned()
        const user = await createUser()
        await join(orgId, user.id, 'member')
        const [removed, promoted] = await Promise.all([
          request(`/api/orgs/${orgId}/members/${user.id}`, { method: 'DELETE', token: a.token }),
          request(`/api/orgs/${orgId}/members/${user.id}`, {
            method: 'PATCH',
            token: b.token,
            json: { role: 'admin' },
          }),
        ])
        expect(removed.status).toBe(204)
        // Promoted before the removal, or found gone: by the guard, or by the write after it.
        expect([200, 404]).toContain(promoted.status)
        if (promoted.status === 404) expect(await promoted.json()).toEqual(MEMBER_NOT_FOUND)
        const changed = promoted.status === 200 ? ['member_role_changed'] : []
        expect((await changesIn(orgId)).sort()).toEqual([...changed, 'member_removed'].sort())
      }
    })

    it('leaves no member behind in an organisation deleted while one is added', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { orgId } = await coOwned()
        const user = await createUser()
        const [deleted, added] = await Promise.all([
          request(`/api/orgs/${orgId}`, { method: 'DELETE', token: a.token }),
          request(`/api/orgs/${orgId}/members`, {
            method: 'POST',
            token: operators[0].token,
            json: { user: user.id, role: 'member' },
          }),
        ])
        expect(deleted.status).toBe(204)
        expect([201, 404]).toContain(added.status)
        if (added.status === 404) expect(await added.json()).toEqual(ORG_NOT_FOUND)
        expect(await db.$count(memberships, eq(memberships.orgId, orgId))).toBe(0)
        const types = added.status === 201 ? ['member_added', 'org_deleted'] : ['org_deleted']
        expect((await changesIn(orgId)).sort()).toEqual(types)
      }
    })

    it('leaves no invitation behind in an organisation deleted while one is sent', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const { orgId } = await coOwned()
        const user = await createUser()
        const [deleted, sent] = await Promise.all([
          request(`/api/orgs/${orgId}`, { method: 'DELETE', token: a.token }),
          request(`/api/orgs/${orgId}/invitations`, {
            method: 'POST',
            token: b.token,
            json: { user: user.username, role: 'member' },
          }),
        ])
        expect(deleted.status).toBe(204)
        expect([201, 404]).toContain(sent.status)
        if (sent.status === 404) expect(await sent.json()).toEqual(ORG_NOT_FOUND)
        expect(await db.$count(invitations, eq(invitations.orgId, orgId))).toBe(0)
        const types = sent.status === 201 ? ['invitation_created', 'org_deleted'] : ['org_deleted']
        expect((await changesIn(orgId)).sort()).toEqual(types)
      }
    })
  })

  describe(`${AT_ONCE} requests at once`, () => {
    it('create one organisation of a slug, written in any case; the rest are told 409 org_slug_taken', async () => {
      const slug = uniqueSlug()
      const answers = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, i) =>
          request('/api/orgs', {
            method: 'POST',
            token: i % 2 ? a.token : b.token,
            json: {
              slug: i % 3 ? slug : slug.toUpperCase(),
              name: `Acme ${i}`,
            },
          }),
        ),
      )
      expect(statusCounts(answers)).toEqual({ 201: 1, 409: AT_ONCE - 1 })
      for (const res of answers.filter((answer) => answer.status === 409)) expect(await res.json()).toEqual(SLUG_TAKEN)
      expect(await db.$count(organizations, eq(organizations.slug, slug))).toBe(1)
    })

    it('give one organisation a slug; the rest are told 409 org_slug_taken and keep theirs', async () => {
      const orgs = await Promise.all(Array.from({ length: AT_ONCE }, () => createOrg(a.token)))
      const slug = uniqueSlug()
      const answers = await Promise.all(
        orgs.map((org) => request(`/api/orgs/${org.orgId}`, { method: 'PATCH', token: a.token, json: { slug } })),
      )
      expect(statusCounts(answers)).toEqual({ 200: 1, 409: AT_ONCE - 1 })
      const rows = await db.select({ id: organizations.id, slug: organizations.slug }).from(organizations).all()
      const kept = orgs.filter((org) => rows.some((row) => row.id === org.orgId && row.slug === org.slug))
      expect(kept).toHaveLength(AT_ONCE - 1)
    })

    it('add one account once; the rest are told 409 already_member, and one event is written', async () => {
      const org = await createOrg(a.token)
      const user = await createUser()
      const answers = await Promise.all(
        Array.from({ length: AT_ONCE }, (_, i) =>
          request(`/api/orgs/${org.orgId}/members`, {
            method: 'POST',
            token: operators[i % 2].token,
            json: {
              user: [user.id, user.username, user.email][i % 3],
              role: i % 2 ? 'admin' : 'member',
            },
          }),
        ),
      )
      expect(statusCounts(answers)).toEqual({ 201: 1, 409: AT_ONCE - 1 })
      for (const res of answers.filter((answer) => answer.status === 409)) {
        expect(await res.json()).toEqual(ALREADY_MEMBER)
      }
      expect(await changesIn(org.orgId)).toEqual(['member_added'])
    })
  })

  describe('an account deleted after the guard read it', () => {
    it('creates no organisation, and is told its token no longer holds (401), not a 500', async () => {
      const creator = await newSession()
      const slug = uniqueSlug()
      const held = heldD1(env.DB)
      const creating = request('/api/orgs', {
        method: 'POST',
        env: { DB: held.binding },
        token: creator.token,
        json: { slug, name: 'Gone' },
      })
      await held.writing
      await db.delete(users).where(eq(users.id, creator.user.id))
      held.release()

      const res = await creating
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'invalid_token' })
      expect(await db.$count(organizations, eq(organizations.slug, slug))).toBe(0)
    })
  })

  describe('a permission the guard checked', () => {
    it.each([
      ['PATCH', { role: 'admin' }],
      ['DELETE', undefined],
    ] as const)(
      "still holds at the write: an admin's %s of a member made an owner meanwhile is refused",
      async (method, body) => {
        const org = await createOrg(a.token)
        await join(org.orgId, b.user.id, 'admin')
        const target = await createUser()
        await join(org.orgId, target.id, 'member')

        // The admin's request reads the member's role, then waits to write while an owner promotes them.
        const held = heldD1(env.DB)
        const byAdmin = request(`/api/orgs/${org.orgId}/members/${target.id}`, {
          method,
          env: { DB: held.binding },
          token: b.token,
          body: body && JSON.stringify(body),
          headers: { 'Content-Type': 'application/json' },
        })
        await held.writing
        const promoted = await request(`/api/orgs/${org.orgId}/members/${target.id}`, {
          method: 'PATCH',
          token: a.token,
          json: { role: 'owner' },
        })
        expect(promoted.status).toBe(200)
        held.release()

        // Only an owner takes the owner role away: refused in the write, as the guard would have.
        expect(await (await byAdmin).json()).toEqual({
          error: 'Insufficient permissions',
          code: 'insufficient_permissions',
        })
        expect(await roleIn(org.orgId, target.id)).toBe('owner')
        expect(await changesIn(org.orgId)).toEqual(['member_role_changed'])
      },
    )
  })
})
