import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, client, createUser, newSession, request, type Session } from '../helpers'
import { addMemberAs, changesIn, createOrg, emailOf, join, membersOf, stateOf, uniqueSlug } from './org-helpers'

/**
 * The owner of every organization here, and a global admin, the only caller who may add a member
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
    const res = await client.api.orgs[':orgId'].$patch(
      { param: { orgId: org.orgId }, json: other },
      bearer(owner.token),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ slug: other.slug.toLowerCase(), name: other.name })
  })

  it('is taken: a user reference of 254 characters, the email of an account', async () => {
    const email = emailOf(254)
    expect(email).toHaveLength(254)
    const user = await createUser({ email })
    const org = await createOrg(owner.token)
    const res = await addMemberAs(operator.token, org.orgId, email.toUpperCase(), 'member')
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
  )('are refused with 400 when the orgId is %s, in %s /api/orgs/%s', async (_what, method, _route, path, body, id) => {
    const before = await stateOf(orgId)
    const res = await request(path(encodeURIComponent(id), memberId), { method, token: owner.token, json: body })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'validation_error', details: [{ path: 'orgId' }] })
    expect(await stateOf(orgId)).toEqual(before)
  })

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
    expect((await request(`/api/orgs/${ORG}/members/${MEMBER}`, { method: 'DELETE', token: owner.token })).status).toBe(
      204,
    )
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
