import { and, eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { API_KEY_PATTERN } from '../../src/auth/api-key-codec'
import { apiKeys, auditEvents, memberships, users } from '../../src/data/schema'
import { uuidv7 } from '../../src/lib/uuid-v7'
import { cleanUp } from '../../src/maintenance/cleanup'
import { bearer, client, newSession, okBody, request, type Session } from '../helpers'
import { createOrg, db, FORBIDDEN, join } from './org-helpers'

type KeyInput = { name?: string; role?: 'admin' | 'member'; expiresInDays?: number; survivesCreator?: boolean }

/** `POST /api/orgs/{orgId}/api-keys` as the holder of `token`. */
const postKey = (token: string, orgId: string, input: KeyInput = {}, envOverrides?: Partial<Env>) =>
  request(`/api/orgs/${orgId}/api-keys`, {
    method: 'POST',
    token,
    json: { name: 'CI deploys', role: 'admin', ...input },
    env: envOverrides,
  })

async function createKey(token: string, orgId: string, input: KeyInput = {}) {
  const res = await postKey(token, orgId, input)
  if (res.status !== 201) expect.fail(`POST api-keys answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as { keyId: string; key: string; role: string; publicId: string }
}

/** An organization with an owner, an admin and a member, each with a token. */
async function team() {
  const owner = await newSession()
  const admin = await newSession()
  const member = await newSession()
  const org = await createOrg(owner.token)
  await join(org.orgId, admin.user.id, 'admin')
  await join(org.orgId, member.user.id, 'member')
  return { org, owner, admin, member }
}

/** With `env`, so what the Worker deferred (`last_used_at`, audit) is written before it resolves. */
const getOrg = (key: string, orgId: string) => request(`/api/orgs/${orgId}`, { token: key, env: {} })

const eventsOfKey = (keyId: string) => db.select().from(auditEvents).where(eq(auditEvents.apiKeyId, keyId)).all()

describe('organization API keys', () => {
  it('are created once, used with their role on their organization, listed without the key, and revoked at once', async () => {
    const { org, owner } = await team()
    const created = await createKey(owner.token, org.orgId, { name: 'deploys', role: 'admin' })
    expect(created).toMatchObject({
      name: 'deploys',
      role: 'admin',
      prefix: 'osk_',
      createdBy: { userId: owner.user.id, username: owner.user.username },
      survivesCreator: false,
      lastUsedAt: null,
      revokedAt: null,
    })
    expect(created.key).toMatch(API_KEY_PATTERN)
    expect(created.key.slice(4, 16)).toBe(created.publicId)

    const used = await getOrg(created.key, org.orgId)
    expect(used.status).toBe(200)
    expect(await used.json()).toMatchObject({ orgId: org.orgId, role: 'admin' })

    const listed = await client.api.orgs[':orgId']['api-keys'].$get(
      { param: { orgId: org.orgId }, query: {} },
      bearer(owner.token),
    )
    const page = await okBody(listed)
    expect(page.apiKeys).toHaveLength(1)
    expect(page.apiKeys[0]).toMatchObject({
      keyId: created.keyId,
      publicId: created.publicId,
      lastUsedAt: expect.any(String),
    })
    expect(JSON.stringify(page)).not.toContain(created.key.slice(17))

    const revoked = await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId: org.orgId, keyId: created.keyId } },
      bearer(owner.token),
    )
    expect(revoked.status).toBe(204)
    const refused = await getOrg(created.key, org.orgId)
    expect(refused.status).toBe(401)
    expect(await refused.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
    const again = await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId: org.orgId, keyId: created.keyId } },
      bearer(owner.token),
    )
    expect(again.status).toBe(404)
    expect(await again.json()).toEqual({ error: 'API key not found', code: 'api_key_not_found' })
    const types = (await eventsOfKey(created.keyId)).map((event) => [event.type, event.actorUserId])
    expect(types).toEqual([
      ['api_key_created', owner.user.id],
      ['api_key_revoked', owner.user.id],
      ['api_key_refused', null],
    ])
  })

  it('stops working when it expires: 401 token_expired, audited', async () => {
    const { org, owner } = await team()
    const { key, keyId } = await createKey(owner.token, org.orgId, { expiresInDays: 1 })
    expect((await getOrg(key, org.orgId)).status).toBe(200)
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, keyId))
    const res = await getOrg(key, org.orgId)
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'token_expired' })
    expect((await eventsOfKey(keyId)).map((event) => event.type)).toContain('api_key_refused')
  })

  it('acts with its role: a member key reads, an admin key changes, neither makes an owner', async () => {
    const { org, owner, member } = await team()
    const reader = await createKey(owner.token, org.orgId, { role: 'member' })
    const writer = await createKey(owner.token, org.orgId, { role: 'admin' })
    const rename = (key: string) =>
      request(`/api/orgs/${org.orgId}`, { method: 'PATCH', token: key, json: { name: 'Renamed by CI' } })
    expect((await request(`/api/orgs/${org.orgId}/members`, { token: reader.key })).status).toBe(200)
    const refused = await rename(reader.key)
    expect(refused.status).toBe(403)
    expect(await refused.json()).toEqual(FORBIDDEN)
    expect((await rename(writer.key)).status).toBe(200)

    const promote = (key: string, role: string) =>
      request(`/api/orgs/${org.orgId}/members/${member.user.id}`, { method: 'PATCH', token: key, json: { role } })
    expect((await promote(writer.key, 'admin')).status).toBe(200)
    expect((await promote(writer.key, 'owner')).status).toBe(403)
    const owners = request(`/api/orgs/${org.orgId}/members/${owner.user.id}`, { method: 'DELETE', token: writer.key })
    expect((await owners).status).toBe(403)

    const audit = await request(`/api/orgs/${org.orgId}/audit-events?type=org_updated`, { token: writer.key })
    expect(audit.status).toBe(200)
    const { events } = (await audit.json()) as { events: Record<string, unknown>[] }
    expect(events[0]).toMatchObject({ type: 'org_updated', actorUserId: null, apiKeyId: writer.keyId, ip: null })
  })

  it('never reaches another organization, a user route, invitations or key management', async () => {
    const { org, owner } = await team()
    const other = await createOrg(owner.token)
    const { key } = await createKey(owner.token, org.orgId)
    const refusals: [string, string][] = [
      ['GET', `/api/orgs/${other.orgId}`],
      ['GET', '/api/auth/me'],
      ['GET', '/api/orgs'],
      ['GET', `/api/orgs/${org.orgId}/api-keys`],
      ['GET', `/api/orgs/${org.orgId}/invitations`],
      ['DELETE', `/api/orgs/${org.orgId}`],
    ]
    for (const [method, path] of refusals) {
      const res = await request(path, { method, token: key })
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
  })

  it('is minted by owners and admins only, never above admin, and only an owner lets it outlive its creator', async () => {
    const { org, admin, member, owner } = await team()
    expect((await postKey(member.token, org.orgId)).status).toBe(403)
    expect((await postKey(admin.token, org.orgId, { role: 'admin' })).status).toBe(201)
    const ownerKey = await request(`/api/orgs/${org.orgId}/api-keys`, {
      method: 'POST',
      token: owner.token,
      json: { name: 'root', role: 'owner' },
    })
    expect(ownerKey.status).toBe(400)
    expect((await postKey(admin.token, org.orgId, { survivesCreator: true })).status).toBe(403)
    expect((await postKey(owner.token, org.orgId, { survivesCreator: true })).status).toBe(201)
    for (const expiresInDays of [0, 366]) {
      expect((await postKey(owner.token, org.orgId, { expiresInDays })).status).toBe(400)
    }
  })

  it('stops with its creator (demoted, disabled or deleted) unless an owner made it survive them', async () => {
    const { org, owner, admin } = await team()
    const tied = await createKey(admin.token, org.orgId)
    const kept = await createKey(owner.token, org.orgId, { survivesCreator: true })
    const ownersTied = await createKey(owner.token, org.orgId)
    expect((await getOrg(tied.key, org.orgId)).status).toBe(200)

    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, admin.user.id))
    expect((await getOrg(tied.key, org.orgId)).status).toBe(401)
    await db.update(users).set({ disabledAt: null }).where(eq(users.id, admin.user.id))
    expect((await getOrg(tied.key, org.orgId)).status).toBe(200)

    expect((await changeRoleAs(owner, org.orgId, admin.user.id, 'member')).status).toBe(200)
    expect((await getOrg(tied.key, org.orgId)).status).toBe(401)

    // The owner's account goes: a key tied to them stops, one they let survive keeps working.
    const heir = await newSession()
    await join(org.orgId, heir.user.id, 'owner')
    await db.delete(users).where(eq(users.id, owner.user.id))
    expect((await getOrg(ownersTied.key, org.orgId)).status).toBe(401)
    const survivor = await getOrg(kept.key, org.orgId)
    expect(survivor.status).toBe(200)
    const listed = await request(`/api/orgs/${org.orgId}/api-keys`, { token: heir.token })
    const { apiKeys: keys } = (await listed.json()) as { apiKeys: { keyId: string; createdBy: unknown }[] }
    expect(keys.find((k) => k.keyId === kept.keyId)?.createdBy).toBeNull()
  })

  it('stops when its creator leaves the organization', async () => {
    const { org, admin } = await team()
    const { key } = await createKey(admin.token, org.orgId)
    const left = await request(`/api/orgs/${org.orgId}/members/${admin.user.id}`, {
      method: 'DELETE',
      token: admin.token,
    })
    expect(left.status).toBe(204)
    expect((await getOrg(key, org.orgId)).status).toBe(401)
  })

  it('is not created for a caller whose role the guard read from its cache but who no longer has it', async () => {
    const { org, owner } = await team()
    const cacheOn = { ACCOUNT_CACHE_MS: '60000' }
    // Cached as owner, then removed behind this isolate's back (as another isolate would).
    expect((await request(`/api/orgs/${org.orgId}`, { token: owner.token, env: cacheOn })).status).toBe(200)
    const heir = await newSession()
    await join(org.orgId, heir.user.id, 'owner')
    await db.delete(memberships).where(and(eq(memberships.orgId, org.orgId), eq(memberships.userId, owner.user.id)))
    const res = await postKey(owner.token, org.orgId, { survivesCreator: true }, cacheOn)
    expect(res.status).toBe(403)
    expect(await db.select().from(apiKeys).where(eq(apiKeys.orgId, org.orgId)).all()).toEqual([])
  })

  it('is capped at MAX_API_KEYS_PER_ORG live keys; a revoked one frees its place', async () => {
    const { org, owner } = await team()
    const limit = { MAX_API_KEYS_PER_ORG: '2' }
    const first = await postKey(owner.token, org.orgId, {}, limit)
    expect((await postKey(owner.token, org.orgId, {}, limit)).status).toBe(201)
    const third = await postKey(owner.token, org.orgId, {}, limit)
    expect(third.status).toBe(409)
    expect(await third.json()).toMatchObject({ code: 'api_key_limit_reached', error: 'API key limit reached' })
    const { keyId } = (await first.json()) as { keyId: string }
    await request(`/api/orgs/${org.orgId}/api-keys/${keyId}`, { method: 'DELETE', token: owner.token })
    expect((await postKey(owner.token, org.orgId, {}, limit)).status).toBe(201)
  })

  it('parallel creations never pass the cap', async () => {
    const { org, owner } = await team()
    const results = await Promise.all(
      Array.from({ length: 12 }, () => postKey(owner.token, org.orgId, {}, { MAX_API_KEYS_PER_ORG: '5' })),
    )
    expect(results.filter((res) => res.status === 201)).toHaveLength(5)
    expect(results.filter((res) => res.status === 409)).toHaveLength(7)
  })

  it('keeps the 50 keys of an organization that ended last when a key is created, and deletes the others', async () => {
    const { org, owner } = await team()
    const endedAt = Date.now() - 86_400_000
    const ended = Array.from({ length: 53 }, (_, i) => ({
      id: uuidv7(endedAt + i),
      orgId: org.orgId,
      publicId: `ended${String(i).padStart(7, '0')}${org.orgId.slice(-4)}`,
      secretHash: 'not-a-real-hash',
      name: `ended ${i}`,
      role: 'member' as const,
      createdAt: new Date(endedAt + i),
      expiresAt: new Date(endedAt + i),
    }))
    // The oldest key, revoked just now, ended last: its later use must still be recognised.
    Object.assign(ended[0], { expiresAt: new Date(Date.now() + 86_400_000), revokedAt: new Date() })
    for (let i = 0; i < ended.length; i += 10) await db.insert(apiKeys).values(ended.slice(i, i + 10))
    const live = await createKey(owner.token, org.orgId)
    const left = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.orgId, org.orgId)).all()
    const kept = [ended[0], ...ended.slice(4)].map((row) => row.id)
    expect(left.map((row) => row.id).sort()).toEqual([...kept, live.keyId].sort())
  })

  it('keeps revoked and expired keys 30 days, then the cleanup deletes them', async () => {
    const { org, owner } = await team()
    const ended = await createKey(owner.token, org.orgId)
    const live = await createKey(owner.token, org.orgId)
    const longAgo = new Date(Date.now() - 31 * 86_400_000)
    await db.update(apiKeys).set({ revokedAt: longAgo }).where(eq(apiKeys.id, ended.keyId))
    await cleanUp(db, { now: new Date(), auditRetentionDays: 90, accessTokenTtlSeconds: 86_400 })
    const left = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.orgId, org.orgId)).all()
    expect(left.map((row) => row.id)).toEqual([live.keyId])
  })
})

const changeRoleAs = (session: Session, orgId: string, userId: string, role: 'member' | 'admin' | 'owner') =>
  request(`/api/orgs/${orgId}/members/${userId}`, { method: 'PATCH', token: session.token, json: { role } })
