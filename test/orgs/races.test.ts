import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { beforeAll, describe, expect, it } from 'vitest'
import { invitations, memberships, organizations, users } from '../../src/data/schema'
import { bearer, client, createUser, newSession, request, type Session } from '../helpers'
import {
  ALREADY_MEMBER,
  changeRole,
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
  statusCounts,
  uniqueSlug,
} from './org-helpers'

const ROUNDS = 5
const AT_ONCE = 50

/**
 * Two owners of organizations made for each round, and two global admins, who alone add members
 * without an invitation: signed in once for the file.
 */
let a: Session
let b: Session
let operators: Session[]
beforeAll(async () => {
  ;[a, b, ...operators] = await Promise.all([newSession(), newSession(), newSession('admin'), newSession('admin')])
})

/** A new organization owned by both `a` and `b`. */
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
        client.api.orgs[':orgId'].members[':userId'].$patch(
          { param: { orgId, userId: b.user.id }, json: { role: 'member' } },
          bearer(a.token),
        ),
        client.api.orgs[':orgId'].members[':userId'].$patch(
          { param: { orgId, userId: a.user.id }, json: { role: 'member' } },
          bearer(b.token),
        ),
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
        client.api.orgs[':orgId'].members[':userId'].$delete({ param: { orgId, userId: a.user.id } }, bearer(a.token)),
        client.api.orgs[':orgId'].members[':userId'].$delete({ param: { orgId, userId: b.user.id } }, bearer(b.token)),
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
        client.api.orgs[':orgId'].members[':userId'].$delete({ param: { orgId, userId: user.id } }, bearer(a.token)),
        client.api.orgs[':orgId'].members[':userId'].$patch(
          { param: { orgId, userId: user.id }, json: { role: 'admin' } },
          bearer(b.token),
        ),
      ])
      expect(removed.status).toBe(204)
      // Promoted before the removal, or found gone: by the guard, or by the write after it.
      expect([200, 404]).toContain(promoted.status)
      if (promoted.status === 404) expect(await promoted.json()).toEqual(MEMBER_NOT_FOUND)
      const changed = promoted.status === 200 ? ['member_role_changed'] : []
      expect((await changesIn(orgId)).sort()).toEqual([...changed, 'member_removed'].sort())
    }
  })

  it('leaves no member behind in an organization deleted while one is added', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { orgId } = await coOwned()
      const user = await createUser()
      const [deleted, added] = await Promise.all([
        client.api.orgs[':orgId'].$delete({ param: { orgId } }, bearer(a.token)),
        client.api.orgs[':orgId'].members.$post(
          { param: { orgId }, json: { user: user.id, role: 'member' } },
          bearer(operators[0].token),
        ),
      ])
      expect(deleted.status).toBe(204)
      expect([201, 404]).toContain(added.status)
      if (added.status === 404) expect(await added.json()).toEqual(ORG_NOT_FOUND)
      expect(await db.$count(memberships, eq(memberships.orgId, orgId))).toBe(0)
      const types = added.status === 201 ? ['member_added', 'org_deleted'] : ['org_deleted']
      expect((await changesIn(orgId)).sort()).toEqual(types)
    }
  })

  it('leaves no invitation behind in an organization deleted while one is sent', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { orgId } = await coOwned()
      const user = await createUser()
      const [deleted, sent] = await Promise.all([
        client.api.orgs[':orgId'].$delete({ param: { orgId } }, bearer(a.token)),
        client.api.orgs[':orgId'].invitations.$post(
          { param: { orgId }, json: { user: user.username, role: 'member' } },
          bearer(b.token),
        ),
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
  it('create one organization of a slug, written in any case; the rest are told 409 org_slug_taken', async () => {
    const slug = uniqueSlug()
    const answers = await Promise.all(
      Array.from({ length: AT_ONCE }, (_, i) =>
        client.api.orgs.$post(
          {
            json: {
              slug: i % 3 ? slug : slug.toUpperCase(),
              name: `Acme ${i}`,
            },
          },
          bearer(i % 2 ? a.token : b.token),
        ),
      ),
    )
    expect(statusCounts(answers)).toEqual({ 201: 1, 409: AT_ONCE - 1 })
    for (const res of answers.filter((answer) => answer.status === 409)) expect(await res.json()).toEqual(SLUG_TAKEN)
    expect(await db.$count(organizations, eq(organizations.slug, slug))).toBe(1)
  })

  it('give one organization a slug; the rest are told 409 org_slug_taken and keep theirs', async () => {
    const orgs = await Promise.all(Array.from({ length: AT_ONCE }, () => createOrg(a.token)))
    const slug = uniqueSlug()
    const answers = await Promise.all(
      orgs.map((org) =>
        client.api.orgs[':orgId'].$patch({ param: { orgId: org.orgId }, json: { slug } }, bearer(a.token)),
      ),
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
        client.api.orgs[':orgId'].members.$post(
          {
            param: { orgId: org.orgId },
            json: {
              user: [user.id, user.username, user.email][i % 3],
              role: i % 2 ? 'admin' : 'member',
            },
          },
          bearer(operators[i % 2].token),
        ),
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
  it('creates no organization, and is told its token no longer holds (401), not a 500', async () => {
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
      const promoted = await changeRole(a.token, org.orgId, target.id, 'owner')
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
