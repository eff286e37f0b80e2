import { env } from 'cloudflare:workers'
import { sha256 } from '@noble/hashes/sha2.js'
import { eq, like } from 'drizzle-orm'
import { describe, expect, it, vi } from 'vitest'
import { apiKeys, loginThrottles } from '../../src/data/schema'
import { clientAddress } from '../../src/lib/client-address'
import { createApiKey } from '../api-key-helpers'
import { proxyD1 } from '../flaky-d1'
import { bearer, client, consoleDuring, consoleSpy, request } from '../helpers'
import {
  cast,
  createOrg,
  db,
  FORBIDDEN,
  join,
  missingId,
  orgEvents,
  orgOf,
  pendingInvitation,
  stateOf,
  statusCounts,
} from '../orgs/org-helpers'
import { expectBlocked, group, randomIp } from './login-attempts'

const INVALID_TOKEN = { error: 'Invalid or expired token', code: 'invalid_token' }
const TOKEN_EXPIRED = { error: 'Invalid or expired token', code: 'token_expired' }

/** The regex a secret scanner would be given for these keys. */
const SCANNER = /\bosk_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}\b/g

/** A client blocked after five wrong keys instead of a hundred. */
const LIMITS = { LOGIN_MAX_FAILURES_IP: '5' }

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const base62 = (length: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => BASE62[b % 62]).join('')

/** A well-formed key no one issued, drawn here rather than by the Worker's own generator. */
const guessedKey = (publicId = base62(12)) => `osk_${publicId}_${base62(43)}`

/** Drawn at random from 10/8, so that the tests' counters do not meet. */
const randomIpv4 = () => `10.${Array.from(crypto.getRandomValues(new Uint8Array(3))).join('.')}`

/** `GET /api/orgs/{orgId}{path}` with `key`, from `ip`; answers once the writes it deferred are done. */
const withKey = (key: string, orgId: string, { ip = randomIp(), path = '', DB = env.DB } = {}) =>
  request(`/api/orgs/${orgId}${path}`, { token: key, env: { ...LIMITS, DB }, headers: { 'CF-Connecting-IP': ip } })

/** The test D1, recording the SQL of every statement the Worker prepares on it. */
function recordingD1() {
  const prepared: string[] = []
  const binding = proxyD1(env.DB, {
    get(target, property) {
      if (property === 'batch') return target.batch.bind(target)
      return (query: string) => {
        prepared.push(query)
        return target.prepare(query)
      }
    },
  })
  return { binding, prepared }
}

/** The failure counter of `ip`'s network, as D1 holds it. */
const keyCounter = (ip: string) =>
  db
    .select()
    .from(loginThrottles)
    .where(eq(loginThrottles.key, `api-key:${clientAddress(ip).network}`))
    .get()

const keyRow = (id: string) => db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()

const refusalsOf = async (orgId: string) => (await orgEvents(orgId)).filter((e) => e.type === 'api_key_refused')

/** A new organization with its cast, and a live key of `role` its owner created. */
async function orgWithKey(role: 'admin' | 'member' = 'admin') {
  const people = await cast()
  const { orgId } = await orgOf(people)
  const created = await createApiKey(orgId, people.owner.token, { name: 'attacked', role })
  return { people, orgId, created }
}

describe('a revoked or expired API key', () => {
  it('is refused 50 times at once with 401 invalid_token, and audited once', async () => {
    const { people, orgId, created } = await orgWithKey()
    const revoked = await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId, keyId: created.keyId } },
      bearer(people.owner.token),
    )
    expect(revoked.status).toBe(204)
    const warn = consoleSpy('warn')

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => withKey(created.key, orgId, { path: i % 2 ? '/members' : '' })),
    )
    for (const res of answers) {
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual(INVALID_TOKEN)
    }
    expect(await refusalsOf(orgId)).toEqual([
      expect.objectContaining({ orgId, apiKeyId: created.keyId, actorUserId: null, subjectUserId: null }),
    ])
    expect((await keyRow(created.keyId))?.refusedAt).toBeInstanceOf(Date)
    expect((await keyRow(created.keyId))?.lastUsedAt).toBeNull()
    // Every refusal is logged (by id), though only the first of the minute is audited.
    const logged = warn.mock.calls.map(([line]) => JSON.parse(String(line)))
    expect(logged).toHaveLength(50)
    for (const entry of logged) expect(entry).toMatchObject({ event: 'api_key_refused', apiKeyId: created.keyId })
  })

  it('is refused with 401 token_expired once past its expiry, 20 times at once, and audited once', async () => {
    const { orgId, created } = await orgWithKey()
    await db
      .update(apiKeys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(apiKeys.id, created.keyId))
    consoleSpy('warn')

    const answers = await Promise.all(Array.from({ length: 20 }, () => withKey(created.key, orgId)))
    for (const res of answers) {
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual(TOKEN_EXPIRED)
      expect(res.headers.get('WWW-Authenticate')).toMatch(/error="invalid_token"/)
    }
    expect(await refusalsOf(orgId)).toEqual([expect.objectContaining({ apiKeyId: created.keyId, actorUserId: null })])
  })

  it('audits a refusal again once a minute has passed, not before', async () => {
    const { people, orgId, created } = await orgWithKey()
    await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId, keyId: created.keyId } },
      bearer(people.owner.token),
    )
    consoleSpy('warn')
    expect((await withKey(created.key, orgId)).status).toBe(401)
    expect((await withKey(created.key, orgId)).status).toBe(401)
    expect(await refusalsOf(orgId)).toHaveLength(1)
    await db
      .update(apiKeys)
      .set({ refusedAt: new Date(Date.now() - 60_000) })
      .where(eq(apiKeys.id, created.keyId))
    expect((await withKey(created.key, orgId)).status).toBe(401)
    expect(await refusalsOf(orgId)).toHaveLength(2)
  })
})

describe('guessing API keys', () => {
  it('blocks an address after the limit of wrong keys sent at once, for wrong keys only: its right key still gets in', async () => {
    const { orgId, created } = await orgWithKey()
    const ip = randomIpv4()
    // Random keys, and random secrets for the real key's public id.
    const guesses = Array.from({ length: 30 }, (_, i) => (i % 2 ? guessedKey() : guessedKey(created.publicId)))
    const answers = await Promise.all(guesses.map((key) => withKey(key, orgId, { ip })))

    const counts = statusCounts(answers)
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(30)
    // No check refuses before five failures are counted; each one counted exactly once.
    expect(counts[401]).toBeGreaterThanOrEqual(5)
    const counter = await keyCounter(ip)
    expect(counter?.attempts).toBe(counts[401])
    expect(counter?.blockedUntil).toBeGreaterThan(Date.now() / 1000)

    await expectBlocked(await withKey(guessedKey(created.publicId), orgId, { ip }))
    // A guesser sharing the address (a NAT, a CI pool) cannot lock the organization's own key out.
    const rightKey = await withKey(created.key, orgId, { ip })
    expect(rightKey.status).toBe(200)
    expect(await rightKey.json()).toMatchObject({ orgId })
    expect((await withKey(guessedKey(), orgId, { ip: randomIpv4() })).status).toBe(401)
    // The blocked request was not counted: the address's counter is where the guesses left it.
    expect((await keyCounter(ip))?.attempts).toBe(counts[401])
  })

  it('counts ten addresses guessing at once each on its own counter', async () => {
    const { orgId, created } = await orgWithKey()
    const ips = Array.from({ length: 10 }, randomIpv4)
    const answers = await Promise.all(
      ips.flatMap((ip) => Array.from({ length: 4 }, () => withKey(guessedKey(), orgId, { ip }))),
    )
    expect(statusCounts(answers)).toEqual({ 401: 40 })
    for (const ip of ips) expect((await keyCounter(ip))?.attempts).toBe(4)

    const rightKey = await Promise.all(ips.map((ip) => withKey(created.key, orgId, { ip })))
    expect(statusCounts(rightKey)).toEqual({ 200: 10 })
  })

  it('counts IPv6 addresses of one /64 as one client', async () => {
    const { orgId } = await orgWithKey()
    const network = `2001:db8:${group()}:${group()}`
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => withKey(guessedKey(), orgId, { ip: `${network}::${(i + 1).toString(16)}` })),
    )
    const counts = statusCounts(answers)
    expect((counts[401] ?? 0) + (counts[429] ?? 0)).toBe(8)
    const rows = await db
      .select()
      .from(loginThrottles)
      .where(like(loginThrottles.key, `api-key:${network}%`))
      .all()
    expect(rows).toEqual([expect.objectContaining({ key: `api-key:${network}::/64`, attempts: counts[401] })])

    await expectBlocked(await withKey(guessedKey(), orgId, { ip: `${network}:ffff:ffff:ffff:ffff` }))
    expect((await withKey(guessedKey(), orgId, { ip: randomIp() })).status).toBe(401)
  })

  it('answers a malformed osk_ credential 401 without hashing, querying or counting it', async () => {
    const { orgId, created } = await orgWithKey()
    const ip = randomIpv4()
    const { key, publicId } = created
    const secret = key.slice(-43)
    const malformed = [
      'osk_',
      'osk_x',
      key.slice(0, -1),
      `${key}A`,
      // Right length and shape, but characters outside base62.
      `osk_${publicId}_${secret.slice(0, -1)}-`,
      `osk_${publicId}_${secret.slice(0, -1)}+`,
      `osk_${publicId}_${secret.slice(0, -1)}/`,
      `osk_${publicId}_${secret.slice(0, -1)}=`,
      `osk_${publicId.slice(0, -1)}._${secret}`,
      // Right length, separator in the wrong place.
      `osk_${publicId.slice(0, -1)}_${publicId.slice(-1)}${secret}`,
      `osk_${publicId}${secret}_`,
      `osk_${'A'.repeat(56)}`,
      // Near Cloudflare's 128 KB limit on a request's headers: the length is checked before anything else.
      `osk_${'A'.repeat(127 * 1024)}`,
    ]
    for (const text of malformed)
      expect(text.length === 60 && /^osk_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/.test(text)).toBe(false)
    const { binding, prepared } = recordingD1()
    const digest = vi.spyOn(crypto.subtle, 'digest')
    const answers = await Promise.all(malformed.map((text) => withKey(text, orgId, { ip, DB: binding })))
    const hashed = digest.mock.calls.length
    digest.mockRestore()

    for (const res of answers) {
      expect(res.status).toBe(401)
      expect(await res.json()).toEqual(INVALID_TOKEN)
    }
    expect(hashed).toBe(0)
    expect(prepared).toEqual([])
    expect(await keyCounter(ip)).toBeUndefined()
    // More malformed keys than the limit, yet the address is not blocked.
    expect((await withKey(key, orgId, { ip })).status).toBe(200)
  })
})

describe('where an API key reaches', () => {
  it('is refused 403 on another organization, even one its creator owns, and on one that does not exist', async () => {
    const { people, orgId, created } = await orgWithKey()
    const other = await createOrg(people.owner.token)
    const before = await stateOf(other.orgId)
    const answers = await Promise.all([
      withKey(created.key, other.orgId),
      withKey(created.key, other.orgId, { path: '/members' }),
      withKey(created.key, other.orgId, { path: '/audit-events' }),
      withKey(created.key, missingId()),
      request(`/api/orgs/${other.orgId}`, { method: 'PATCH', token: created.key, json: { name: 'Taken over' } }),
      request(`/api/orgs/${other.orgId}/members/${people.owner.user.id}`, {
        method: 'PATCH',
        token: created.key,
        json: { role: 'member' },
      }),
      request(`/api/orgs/${other.orgId}/members/${people.owner.user.id}`, { method: 'DELETE', token: created.key }),
    ])
    for (const res of answers) {
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(await stateOf(other.orgId)).toEqual(before)
    expect((await withKey(created.key, orgId)).status).toBe(200)
  })

  it('is refused 403 on user routes, key management, invitations, deleting the organization and adding members', async () => {
    const { people, orgId, created } = await orgWithKey()
    const invitationId = await pendingInvitation(orgId, people.owner.user.id)
    const before = await stateOf(orgId)
    const keysBefore = await db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).all()
    const token = created.key
    const org = `/api/orgs/${orgId}`
    const refused = [
      request('/api/auth/me', { token }),
      request('/api/auth/me', { method: 'PATCH', token, json: { email: 'taken@example.com' } }),
      request('/api/auth/logout', { method: 'POST', token }),
      request('/api/auth/logout-all', { method: 'POST', token }),
      request('/api/users', { token }),
      request(`/api/users/${people.owner.user.id}`, { token }),
      request('/api/audit-events', { token }),
      request('/api/orgs', { token }),
      request('/api/orgs', { method: 'POST', token, json: { slug: `key-${group()}-${group()}`, name: 'By key' } }),
      request('/api/invitations', { token }),
      request(`/api/invitations/${invitationId}/accept`, { method: 'POST', token }),
      request(`${org}/api-keys`, { method: 'POST', token, json: { name: 'spawned', role: 'admin' } }),
      request(`${org}/api-keys`, { token }),
      request(`${org}/api-keys/${created.keyId}`, { method: 'DELETE', token }),
      request(`${org}/invitations`, {
        method: 'POST',
        token,
        json: { user: people.outsider.user.username, role: 'member' },
      }),
      request(`${org}/invitations`, { token }),
      request(`${org}/invitations/${invitationId}`, { method: 'DELETE', token }),
      request(org, { method: 'DELETE', token }),
      request(`${org}/members`, {
        method: 'POST',
        token,
        json: { user: people.outsider.user.username, role: 'member' },
      }),
    ]
    for (const [i, res] of (await Promise.all(refused)).entries()) {
      expect(res.status, `request ${i}`).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(await stateOf(orgId)).toEqual(before)
    expect(await db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).all()).toEqual(keysBefore)
  })

  it("cannot be revoked through another organization's path, even by that organization's owner", async () => {
    const { people, orgId, created } = await orgWithKey()
    const other = await createOrg(people.outsider.token)
    const res = await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId: other.orgId, keyId: created.keyId } },
      bearer(people.outsider.token),
    )
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ code: 'api_key_not_found' })
    expect((await keyRow(created.keyId))?.revokedAt).toBeNull()
    expect((await withKey(created.key, orgId)).status).toBe(200)
  })

  it('answers 400, never 500, to a live key on a path with a malformed id', async () => {
    const { orgId, created } = await orgWithKey()
    const answers = await Promise.all([
      withKey(created.key, 'not-an-id'),
      withKey(created.key, `${orgId}x`, { path: '/members' }),
      withKey(created.key, 'not-an-id', { path: '/audit-events' }),
      request(`/api/orgs/${orgId}/members/not-an-id`, { method: 'PATCH', token: created.key, json: { role: 'admin' } }),
      request(`/api/orgs/${orgId}/members/not-an-id`, { method: 'DELETE', token: created.key }),
    ])
    for (const res of answers) {
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ code: expect.any(String) })
    }
  })

  it('lets a member key read but not change the organization or its members', async () => {
    const { people, orgId, created } = await orgWithKey('member')
    const before = await stateOf(orgId)
    const member = `/api/orgs/${orgId}/members/${people.member.user.id}`
    const refused = await Promise.all([
      request(`/api/orgs/${orgId}`, { method: 'PATCH', token: created.key, json: { name: 'Renamed by a member key' } }),
      request(member, { method: 'PATCH', token: created.key, json: { role: 'admin' } }),
      request(`/api/orgs/${orgId}/members/${people.admin.user.id}`, {
        method: 'PATCH',
        token: created.key,
        json: { role: 'member' },
      }),
      request(member, { method: 'DELETE', token: created.key }),
      withKey(created.key, orgId, { path: '/audit-events' }),
    ])
    for (const res of refused) {
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(await stateOf(orgId)).toEqual(before)
    expect((await withKey(created.key, orgId, { path: '/members' })).status).toBe(200)
  })

  it('lets an admin key change members but neither make nor remove an owner', async () => {
    const { people, orgId, created } = await orgWithKey('admin')
    const coOwner = people.outsider.user
    await join(orgId, coOwner.id, 'owner')
    const before = await stateOf(orgId)
    const path = (userId: string) => `/api/orgs/${orgId}/members/${userId}`
    const refused = await Promise.all([
      request(path(people.member.user.id), { method: 'PATCH', token: created.key, json: { role: 'owner' } }),
      request(path(people.owner.user.id), { method: 'PATCH', token: created.key, json: { role: 'admin' } }),
      request(path(coOwner.id), { method: 'PATCH', token: created.key, json: { role: 'member' } }),
      request(path(people.owner.user.id), { method: 'DELETE', token: created.key }),
      request(path(coOwner.id), { method: 'DELETE', token: created.key }),
    ])
    for (const res of refused) {
      expect(res.status).toBe(403)
      expect(await res.json()).toEqual(FORBIDDEN)
    }
    expect(await stateOf(orgId)).toEqual(before)

    // What it may do, it does, as itself.
    const promoted = await request(path(people.member.user.id), {
      method: 'PATCH',
      token: created.key,
      json: { role: 'admin' },
    })
    expect(promoted.status).toBe(200)
    expect((await orgEvents(orgId)).at(-1)).toMatchObject({
      type: 'member_role_changed',
      actorUserId: null,
      apiKeyId: created.keyId,
    })
  })
})

describe('the secret of an API key', () => {
  it('appears in no response, log line or audit row after its creation, and is stored only as its SHA-256', async () => {
    const people = await cast()
    const { orgId } = await orgOf(people)
    const owner = people.owner.token
    const secrets: string[] = []
    const answers: string[] = []
    const keep = async (res: Response) => {
      answers.push([...res.headers].join('\n'), await res.text())
      return res
    }
    let keyId = ''
    const output = (
      await consoleDuring(async () => {
        const created = await request(`/api/orgs/${orgId}/api-keys`, {
          method: 'POST',
          token: owner,
          json: { name: 'leak test', role: 'admin' },
          env: {},
        })
        const body = await created.json<{ key: string; keyId: string }>()
        keyId = body.keyId
        secrets.push(body.key, body.key.slice(-43))
        const key = body.key
        await keep(await withKey(key, orgId))
        await keep(await withKey(key, orgId, { path: '/members' }))
        await keep(await withKey(key, orgId, { path: '/audit-events' }))
        await keep(
          await request(`/api/orgs/${orgId}`, { method: 'PATCH', token: key, json: { name: 'Renamed' }, env: {} }),
        )
        await keep(await request(`/api/orgs/${orgId}/api-keys`, { token: owner, env: {} }))
        await keep(await request(`/api/orgs/${orgId}`, { token: owner, env: {} }))
        await keep(await request(`/api/orgs/${orgId}/members`, { token: owner, env: {} }))
        // Wrong secret for its public id; used elsewhere; revoked, then refused.
        await keep(await withKey(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`, orgId))
        await keep(await withKey(key, (await createOrg(owner)).orgId))
        await keep(await request(`/api/orgs/${orgId}/api-keys/${keyId}`, { method: 'DELETE', token: owner, env: {} }))
        await keep(await withKey(key, orgId))
        await keep(await request(`/api/orgs/${orgId}/audit-events`, { token: owner, env: {} }))
      })
    ).join('\n')

    expect(answers.length).toBeGreaterThan(20)
    expect(output).toMatch(/api_key_refused/)
    const everything = `${answers.join('\n')}\n${output}`
    for (const secret of secrets) expect(everything).not.toContain(secret)
    expect(everything.match(SCANNER)).toBeNull()

    const auditRows = await env.DB.prepare('select * from audit_events').all<Record<string, unknown>>()
    expect(auditRows.results.filter((row) => row.api_key_id === keyId).length).toBeGreaterThanOrEqual(3)
    const stored = JSON.stringify(auditRows.results)
    for (const secret of secrets) expect(stored).not.toContain(secret)

    const row = await env.DB.prepare('select * from api_keys where id = ?').bind(keyId).first<Record<string, unknown>>()
    const expected = btoa(String.fromCharCode(...sha256(new TextEncoder().encode(secrets[0]))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    expect(row?.secret_hash).toBe(expected)
    for (const secret of secrets) expect(JSON.stringify(row)).not.toContain(secret)
  })
})

describe('a leaked API key', () => {
  it('is found by its prefix: 100 keys created at once all match a scanner and differ, public ids too', async () => {
    const people = await cast()
    const orgs = await Promise.all([createOrg(people.owner.token), createOrg(people.owner.token)])
    const created = await Promise.all(
      orgs.flatMap(({ orgId }) =>
        Array.from({ length: 50 }, (_, i) =>
          createApiKey(orgId, people.owner.token, { name: `key ${i}`, role: 'member' }),
        ),
      ),
    )
    const keys = created.map((k) => k.key)
    const leaked = keys.map(
      (key, i) => `# deploy ${i}\nexport ORGSTACK_KEY="${key}"; curl -H 'Authorization: Bearer ${key}'`,
    )
    for (const [i, text] of leaked.entries()) expect(text.match(SCANNER)).toEqual([keys[i], keys[i]])
    for (const { key, publicId } of created) {
      expect(key).toHaveLength(60)
      expect(key.slice(4, 16)).toBe(publicId)
    }
    expect(new Set(keys).size).toBe(100)
    expect(new Set(created.map((k) => k.publicId)).size).toBe(100)
    expect(new Set(keys.map((key) => key.slice(-43))).size).toBe(100)
  })
})
