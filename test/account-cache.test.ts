import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { ACCOUNT_CACHE_ENTRIES, AccountCache, accountCaches, accountKey } from '../src/auth/account-cache'
import { revokeToken } from '../src/data/revoked-tokens'
import { ConfigError, settingsOf } from '../src/settings'
import { proxyD1 } from './flaky-d1'
import { createUser, expectRefreshRefused, login, newSession, refreshOf, replayRefresh, request } from './helpers'
import { createOrg, join } from './orgs/org-helpers'

const LIFETIME_MS = 1000
const CACHE_ON = { ACCOUNT_CACHE_MS: String(LIFETIME_MS) }

const me = (token: string, overrides: Partial<Env> = CACHE_ON) => request('/api/auth/me', { token, env: overrides })

/** The isolate cache's clock is `Date.now`: moved forward here instead of sleeping. */
function advanceClock(ms: number) {
  const now = Date.now()
  const spy = vi.spyOn(Date, 'now').mockReturnValue(now + ms)
  onTestFinished(() => spy.mockRestore())
}

function claimsOf(token: string): { sub: string; jti: string; fam?: string; exp: number } {
  const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
  return JSON.parse(atob(payload))
}

/** The test D1 binding, counting the statements prepared on it or on its sessions. */
function countingDb() {
  const counter = { prepared: 0 }
  const db = proxyD1(env.DB, {
    get(target, property) {
      if (property === 'prepare') {
        return (query: string) => {
          counter.prepared++
          return target.prepare(query)
        }
      }
      const value = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  return { db, counter }
}

describe('AccountCache', () => {
  it('keeps at most its bound under 10,000 distinct users, evicting the least recently used', () => {
    const cache = new AccountCache<number>(ACCOUNT_CACHE_ENTRIES, () => 0)
    cache.set('user-0', { userId: 'user-0' }, 0)
    for (let i = 1; i < 10_000; i++) {
      cache.set(`user-${i}`, { userId: `user-${i}` }, i)
      // Used on every round, so never the least recent.
      expect(cache.get('user-0', LIFETIME_MS)).toBe(0)
      expect(cache.size).toBeLessThanOrEqual(ACCOUNT_CACHE_ENTRIES)
    }
    expect(cache.size).toBe(ACCOUNT_CACHE_ENTRIES)
    expect(cache.get('user-1', LIFETIME_MS)).toBeUndefined()
    expect(cache.get('user-9999', LIFETIME_MS)).toBe(9999)
  })

  it('misses once the lifetime has passed, by the injected clock', () => {
    let now = 5000
    const cache = new AccountCache<string>(10, () => now)
    cache.set('k', { userId: 'u' }, 'v')
    now += LIFETIME_MS - 1
    expect(cache.get('k', LIFETIME_MS)).toBe('v')
    now += 1
    expect(cache.get('k', LIFETIME_MS)).toBeUndefined()
    expect(cache.size).toBe(0)
  })

  it('forgets by caller, by named member and by organization', () => {
    const cache = new AccountCache<number>(10, () => 0)
    cache.set('a', { userId: 'u1' }, 1)
    cache.set('b', { userId: 'u2', orgId: 'o1', memberId: 'u1' }, 2)
    cache.set('c', { userId: 'u3', orgId: 'o2' }, 3)
    cache.forget({ userId: 'u1' })
    expect([cache.get('a', 10), cache.get('b', 10), cache.get('c', 10)]).toEqual([undefined, undefined, 3])
    cache.forget({ orgId: 'o2' })
    expect(cache.size).toBe(0)
  })
})

describe('ACCOUNT_CACHE_MS', () => {
  it('is off unless set, and an integer from 0 to 60000', async () => {
    expect((await settingsOf(env)).accountCacheMs).toBe(0)
    expect((await settingsOf({ ...env, ACCOUNT_CACHE_MS: '60000' })).accountCacheMs).toBe(60_000)
    for (const bad of ['-1', '60001', '1.5', 'soon']) {
      await expect(settingsOf({ ...env, ACCOUNT_CACHE_MS: bad })).rejects.toThrow(ConfigError)
    }
    expect((await me('x.y.z', { ACCOUNT_CACHE_MS: '60001' })).status).toBe(503)
  })
})

describe('the guard with ACCOUNT_CACHE_MS set', () => {
  it('keeps no password hash: the guard reads the account without it', async () => {
    const { token } = await newSession()
    expect((await me(token)).status).toBe(200)
    const { sub, jti, fam } = claimsOf(token)
    const cached = accountCaches.accounts.get(accountKey('account', { userId: sub, jti, familyId: fam }), LIFETIME_MS)
    expect(cached?.user.id).toBe(sub)
    expect(cached?.user).not.toHaveProperty('passwordHash')
  })

  it('refuses a token at once after it logs out on this isolate', async () => {
    const { token } = await newSession()
    expect((await me(token)).status).toBe(200)
    expect((await request('/api/auth/logout', { method: 'POST', token, env: CACHE_ON })).status).toBe(204)
    expect((await me(token)).status).toBe(401)
  })

  it('refuses a token at once after its refresh token was replayed on this isolate', async () => {
    const { username } = await createUser()
    const { token, refreshToken } = await login(username)
    expect((await me(token)).status).toBe(200)
    expect((await refreshOf(refreshToken)).status).toBe(200)
    await expectRefreshRefused(await replayRefresh(refreshToken))
    expect((await me(token)).status).toBe(401)
  })

  it('answers 404 at once for an organization deleted on this isolate', async () => {
    const owner = await newSession()
    const org = await createOrg(owner.token)
    const orgOf = () => request(`/api/orgs/${org.orgId}`, { token: owner.token, env: CACHE_ON })
    expect((await orgOf()).status).toBe(200)
    expect((await request(`/api/orgs/${org.orgId}`, { method: 'DELETE', token: owner.token })).status).toBe(204)
    expect((await orgOf()).status).toBe(404)
  })

  it('serves a revocation made elsewhere from the cache until the lifetime has passed', async () => {
    const { token } = await newSession()
    expect((await me(token)).status).toBe(200)
    const { sub, jti, exp } = claimsOf(token)
    // Another isolate's logout: straight into D1, so this isolate's cache is not told.
    await revokeToken(drizzle(env.DB), { jti, userId: sub, expiresAt: exp })
    expect((await me(token, { ACCOUNT_CACHE_MS: '0' })).status).toBe(401)
    expect((await me(token)).status).toBe(200)
    advanceClock(LIFETIME_MS)
    expect((await me(token)).status).toBe(401)
  })

  it('sees a role change and a removal from the organization at once', async () => {
    const owner = await newSession()
    const member = await newSession()
    const org = await createOrg(owner.token)
    await join(org.orgId, member.user.id, 'member')
    const orgOf = () => request(`/api/orgs/${org.orgId}`, { token: member.token, env: CACHE_ON })
    expect(await (await orgOf()).json()).toMatchObject({ role: 'member' })

    const path = `/api/orgs/${org.orgId}/members/${member.user.id}`
    const promoted = await request(path, { method: 'PATCH', json: { role: 'admin' }, token: owner.token })
    expect(promoted.status).toBe(200)
    expect(await (await orgOf()).json()).toMatchObject({ role: 'admin' })

    expect((await request(path, { method: 'DELETE', token: owner.token })).status).toBe(204)
    expect((await orgOf()).status).toBe(404)
  })

  it('stays within its bound through a burst of distinct users', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createUser()))
    const before = accountCaches.accounts.size
    for (const user of users) {
      const { token } = await login(user.username)
      expect((await me(token)).status).toBe(200)
    }
    expect(accountCaches.accounts.size).toBe(Math.min(before + users.length, ACCOUNT_CACHE_ENTRIES))
  })

  it('reads D1 on every request when off, and not again within the lifetime when on', async () => {
    const { token } = await newSession()
    const off = countingDb()
    for (let i = 0; i < 5; i++) expect((await me(token, { ACCOUNT_CACHE_MS: '0', DB: off.db })).status).toBe(200)
    expect(off.counter.prepared).toBeGreaterThanOrEqual(5)

    const on = countingDb()
    expect((await me(token, { ...CACHE_ON, DB: on.db })).status).toBe(200)
    const first = on.counter.prepared
    expect(first).toBeGreaterThanOrEqual(1)
    for (let i = 0; i < 4; i++) expect((await me(token, { ...CACHE_ON, DB: on.db })).status).toBe(200)
    expect(on.counter.prepared).toBe(first)
  })
})
