import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { memberships, organizations } from '../../src/data/schema'
import { apiWithEnv, createUser, signedIn } from '../helpers'
import {
  ALREADY_MEMBER,
  changesIn,
  createOrg,
  db,
  heldD1,
  join,
  LAST_OWNER,
  MEMBER_NOT_FOUND,
  ORG_NOT_FOUND,
  ownersOf,
  roleIn,
  SLUG_TAKEN,
  send,
  statusCounts,
  uniqueSlug,
} from './org-helpers'

const ROUNDS = 5
const AT_ONCE = 20

/** Two owners of organisations made for each round, signed in once for the file. */
let a: Awaited<ReturnType<typeof signedIn>>
let b: Awaited<ReturnType<typeof signedIn>>
beforeAll(async () => {
  ;[a, b] = await Promise.all([signedIn(), signedIn()])
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
        send('PATCH', `/api/orgs/${orgId}/members/${b.user.id}`, a.token, { role: 'member' }),
        send('PATCH', `/api/orgs/${orgId}/members/${a.user.id}`, b.token, { role: 'member' }),
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
        send('DELETE', `/api/orgs/${orgId}/members/${a.user.id}`, a.token),
        send('DELETE', `/api/orgs/${orgId}/members/${b.user.id}`, b.token),
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
        send('DELETE', `/api/orgs/${orgId}/members/${user.id}`, a.token),
        send('PATCH', `/api/orgs/${orgId}/members/${user.id}`, b.token, { role: 'admin' }),
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
        send('DELETE', `/api/orgs/${orgId}`, a.token),
        send('POST', `/api/orgs/${orgId}/members`, b.token, { user: user.id, role: 'member' }),
      ])
      expect(deleted.status).toBe(204)
      expect([201, 404]).toContain(added.status)
      if (added.status === 404) expect(await added.json()).toEqual(ORG_NOT_FOUND)
      expect(await db.$count(memberships, eq(memberships.orgId, orgId))).toBe(0)
      const types = added.status === 201 ? ['member_added', 'org_deleted'] : ['org_deleted']
      expect((await changesIn(orgId)).sort()).toEqual(types)
    }
  })
})

describe(`${AT_ONCE} requests at once`, () => {
  it('create one organisation of a slug, written in any case; the rest are told 409 org_slug_taken', async () => {
    const slug = uniqueSlug()
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, i) =>
        send('POST', '/api/orgs', i % 2 ? a.token : b.token, {
          slug: i % 3 ? slug : slug.toUpperCase(),
          name: `Acme ${i}`,
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
    const answers = await Promise.all(orgs.map((org) => send('PATCH', `/api/orgs/${org.orgId}`, a.token, { slug })))
    expect(statusCounts(answers)).toEqual({ 200: 1, 409: AT_ONCE - 1 })
    const rows = await db.select({ id: organizations.id, slug: organizations.slug }).from(organizations).all()
    const kept = orgs.filter((org) => rows.some((row) => row.id === org.orgId && row.slug === org.slug))
    expect(kept).toHaveLength(AT_ONCE - 1)
  })

  it('add one account once; the rest are told 409 already_member, and one event is written', async () => {
    const org = await createOrg(a.token)
    await join(org.orgId, b.user.id, 'admin')
    const user = await createUser()
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, i) =>
        send('POST', `/api/orgs/${org.orgId}/members`, i % 2 ? a.token : b.token, {
          user: [user.id, user.username, user.email][i % 3],
          role: i % 2 ? 'admin' : 'member',
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
      const byAdmin = apiWithEnv({ DB: held.binding }, `/api/orgs/${org.orgId}/members/${target.id}`, {
        method,
        headers: { Authorization: `Bearer ${b.token}`, 'Content-Type': 'application/json' },
        body: body && JSON.stringify(body),
      })
      await held.writing
      const promoted = await send('PATCH', `/api/orgs/${org.orgId}/members/${target.id}`, a.token, { role: 'owner' })
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
