import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { memberships } from '../../src/data/schema'
import { bearer, client, newSession, request } from '../helpers'
import {
  type Cast,
  cast,
  changesIn,
  createOrg,
  db,
  FORBIDDEN,
  join,
  membersOf,
  ORG_NOT_FOUND,
  orgOf,
  SLUG_TAKEN,
  stateOf,
  uniqueSlug,
} from './org-helpers'

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
  it('creates an organization with its slug in lower case and its name trimmed, owned by the caller', async () => {
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
    expect(
      await (await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(people.owner.token))).json(),
    ).toEqual(org)
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
      const res = await client.api.orgs.$post({ json: { slug: taken, name: 'Second' } }, bearer(people.admin.token))
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual(SLUG_TAKEN)
    }
    expect((await listOrgs(people.admin.token, { limit: '100' })).organizations).toEqual(before)
  })
})

describe('GET /api/orgs', () => {
  it("lists the caller's own organizations, oldest first, with their role in each, a page at a time", async () => {
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

  it('lists every organization to a global admin with all=true, with role null where they are not a member', async () => {
    // Other tests may have filled the first pages: start right after an organization made just before.
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
    expect((await listOrgs(people.globalAdmin.token, { all: 'false', limit: '100' })).organizations).not.toContainEqual(
      expect.objectContaining({ orgId: org.orgId }),
    )
  })

  it.each(['owner', 'member', 'outsider'] as const)('answers 403 to all=true from an organization %s', async (who) => {
    await orgOf(people)
    const res = await client.api.orgs.$get({ query: { all: 'true' } }, bearer(people[who].token))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual(FORBIDDEN)
  })
})

describe('GET /api/orgs/{orgId}', () => {
  it("shows the organization with the caller's role there, null for a global admin who is not a member", async () => {
    const org = await orgOf(people)
    for (const [who, role] of [
      ['owner', 'owner'],
      ['admin', 'admin'],
      ['member', 'member'],
      ['globalAdmin', null],
    ] as const) {
      expect(
        await (await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(people[who].token))).json(),
      ).toEqual({
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
    expect(
      await (await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(people.owner.token))).json(),
    ).toEqual({
      ...changed,
      role: 'owner',
    })
  })

  it("answers 409 org_slug_taken to another organization's slug in any case, and changes nothing", async () => {
    const other = await createOrg(people.outsider.token)
    const org = await orgOf(people)
    const before = await stateOf(org.orgId)
    for (const slug of [other.slug, other.slug.toUpperCase()]) {
      const res = await client.api.orgs[':orgId'].$patch(
        { param: { orgId: org.orgId }, json: { slug, name: 'Renamed' } },
        bearer(people.owner.token),
      )
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual(SLUG_TAKEN)
    }
    expect(await stateOf(org.orgId)).toEqual(before)
  })

  it('takes its own slug in another case as no change at all', async () => {
    const org = await orgOf(people)
    const res = await client.api.orgs[':orgId'].$patch(
      {
        param: { orgId: org.orgId },
        json: {
          slug: org.slug.toUpperCase(),
          name: org.name,
        },
      },
      bearer(people.owner.token),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ slug: org.slug, name: org.name })
    expect(await changesIn(org.orgId)).toEqual([])
  })
})

describe('DELETE /api/orgs/{orgId}', () => {
  it('deletes the organization and every membership in it, and frees its slug', async () => {
    const org = await orgOf(people)
    expect(
      (await client.api.orgs[':orgId'].$delete({ param: { orgId: org.orgId } }, bearer(people.owner.token))).status,
    ).toBe(204)

    for (const who of ['owner', 'member', 'globalAdmin'] as const) {
      const res = await client.api.orgs[':orgId'].$get({ param: { orgId: org.orgId } }, bearer(people[who].token))
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
