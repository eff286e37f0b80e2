import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { decode } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import { hasRefreshTokenShape, REFRESH_TOKEN_LENGTH } from '../src/auth/refresh-tokens'
import { refreshFamilies } from '../src/data/schema'
import { flakyD1 } from './flaky-d1'
import {
  bearer,
  client,
  createUser,
  DEFAULT_PASSWORD,
  eventsAbout,
  expectRefreshRefused,
  LOGIN_ANSWER_KEYS,
  login,
  okBody,
  refreshOf,
  replayRefresh,
  request,
} from './helpers'

const db = drizzle(env.DB)
const REFRESH = '/api/auth/refresh'
const DAY_SECONDS = 86_400
/** Spelt as a refresh token is, but never issued: its MAC is made up. */
const NEVER_ISSUED = 'AZrB8o1OeyGcOl5vcIGSowAAAAAAAHPeB0l74MC67Nk9aF5RKya5GhWZVlPJGCcHZfboiusF'

/** A new user, logged in: the login's answer and the user. */
async function loggedIn() {
  const user = await createUser()
  return { user, ...(await login(user.username)) }
}

const familyOf = (token: string): string => decode(token).payload.fam as string

const meStatus = async (token: string) => (await client.api.auth.me.$get({}, bearer(token))).status

describe('login and a password change', () => {
  it("answer the guide's four fields, an opaque refresh token and its lifetime, and a device token", async () => {
    const { user, ...answer } = await loggedIn()
    expect(Object.keys(answer).sort()).toEqual(LOGIN_ANSWER_KEYS)
    expect(answer).toMatchObject({ userId: user.id, username: user.username, expiresIn: DAY_SECONDS })
    expect(answer.refreshToken).toHaveLength(REFRESH_TOKEN_LENGTH)
    expect(answer.refreshToken).not.toContain('.')
    expect(hasRefreshTokenShape(answer.refreshToken)).toBe(true)
    expect(answer.refreshExpiresIn).toBe(14 * DAY_SECONDS)
    expect(familyOf(answer.token)).toEqual(expect.any(String))

    const changed = await request('/api/auth/password', {
      method: 'POST',
      token: answer.token,
      json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'a brand new passphrase' },
    })
    const fresh = await changed.json<typeof answer>()
    expect(hasRefreshTokenShape(fresh.refreshToken)).toBe(true)
    expect(familyOf(fresh.token)).not.toBe(familyOf(answer.token))
    await expectRefreshRefused(await refreshOf(answer.refreshToken))
    expect((await refreshOf(fresh.refreshToken)).status).toBe(200)
  })

  it('answer the refresh lifetime the vars set, cut to the absolute limit', async () => {
    const user = await createUser()
    const res = await request('/api/auth/login', {
      method: 'POST',
      env: { REFRESH_IDLE_DAYS: '3', REFRESH_ABSOLUTE_DAYS: '2' },
      json: { username: user.username, password: DEFAULT_PASSWORD },
    })
    expect((await res.json<{ refreshExpiresIn: number }>()).refreshExpiresIn).toBe(2 * DAY_SECONDS)
  })
})

describe('a refresh', () => {
  it('rotates: a new access token and a new refresh token of the same login, the old one spent', async () => {
    const { user, token, refreshToken } = await loggedIn()
    const res = await refreshOf(refreshToken)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const next = await okBody(res)
    expect(next).toMatchObject({ userId: user.id, username: user.username, expiresIn: DAY_SECONDS })
    expect(next.refreshToken).not.toBe(refreshToken)
    expect(next.token).not.toBe(token)
    expect(familyOf(next.token)).toBe(familyOf(token))
    expect(await meStatus(next.token)).toBe(200)
    const third = await okBody(await refreshOf(next.refreshToken))
    expect(new Set([refreshToken, next.refreshToken, third.refreshToken]).size).toBe(3)
    expect(await eventsAbout(user.id)).toHaveLength(1)
  })

  it('is one D1 batch, and leaves the protected route at one query', async () => {
    const { token, refreshToken } = await loggedIn()
    const refreshing = flakyD1(env.DB, { failures: 0 })
    const res = await request(REFRESH, { method: 'POST', env: { DB: refreshing.binding }, json: { refreshToken } })
    expect(res.status).toBe(200)
    expect(refreshing.executions).toEqual(['batch'])

    const protectedRoute = flakyD1(env.DB, { failures: 0 })
    expect((await request('/api/auth/me', { env: { DB: protectedRoute.binding }, token })).status).toBe(200)
    expect(protectedRoute.executions).toHaveLength(1)
  })

  it('of a token already rotated revokes its login: every refresh token and access token of it', async () => {
    const { user, token, refreshToken } = await loggedIn()
    const other = await login(user.username)
    const next = await okBody(await refreshOf(refreshToken))

    await expectRefreshRefused(await replayRefresh(refreshToken))
    await expectRefreshRefused(await refreshOf(next.refreshToken))
    expect(await meStatus(token)).toBe(401)
    expect(await meStatus(next.token)).toBe(401)
    const family = await db
      .select()
      .from(refreshFamilies)
      .where(eq(refreshFamilies.id, familyOf(token)))
      .get()
    expect(family?.revokedAt).toEqual(expect.any(Date))
    expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual([
      'login_succeeded',
      'login_succeeded',
      'refresh_token_reused',
    ])
    // The user's other login is not the one replayed.
    expect(await meStatus(other.token)).toBe(200)
    expect((await refreshOf(other.refreshToken)).status).toBe(200)
  })

  it('racing with the same token within the reuse interval: every answer valid, one successor, nothing revoked', async () => {
    const { user, token, refreshToken } = await loggedIn()
    const answers = await Promise.all(Array.from({ length: 15 }, () => refreshOf(refreshToken)))
    const bodies = await Promise.all(answers.map(okBody))
    expect(new Set(bodies.map((body) => body.refreshToken)).size).toBe(1)
    for (const body of bodies) expect(await meStatus(body.token)).toBe(200)
    expect(await meStatus(token)).toBe(200)
    // One row for the family, moved on one generation: the first token and its one successor.
    const family = await db
      .select()
      .from(refreshFamilies)
      .where(eq(refreshFamilies.id, familyOf(token)))
    expect(family).toEqual([expect.objectContaining({ generation: 1 })])
    expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual(['login_succeeded'])
    expect((await refreshOf(bodies[0].refreshToken)).status).toBe(200)
  })

  it('racing just outside the interval: a replay, revoked once, no answer valid', async () => {
    const { user, token, refreshToken } = await loggedIn()
    await okBody(await refreshOf(refreshToken))
    const answers = await Promise.all(Array.from({ length: 10 }, () => replayRefresh(refreshToken)))
    for (const res of answers) await expectRefreshRefused(res)
    expect(await meStatus(token)).toBe(401)
    expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual(['login_succeeded', 'refresh_token_reused'])
  })

  it('is refused once the token is idle too long, or its login reaches the absolute limit', async () => {
    const past = new Date(Date.now() - 1000)
    const idle = await loggedIn()
    await db
      .update(refreshFamilies)
      .set({ idleExpiresAt: past })
      .where(eq(refreshFamilies.id, familyOf(idle.token)))
    await expectRefreshRefused(await refreshOf(idle.refreshToken))
    // An idle refresh token ends nothing else: the access token lives its own lifetime.
    expect(await meStatus(idle.token)).toBe(200)

    const old = await loggedIn()
    await db
      .update(refreshFamilies)
      .set({ expiresAt: past })
      .where(eq(refreshFamilies.id, familyOf(old.token)))
    await expectRefreshRefused(await refreshOf(old.refreshToken))
  })

  it('answers a well-formed token never issued, and one of a deleted user, alike', async () => {
    await expectRefreshRefused(await refreshOf(NEVER_ISSUED))
    const { user, refreshToken } = await loggedIn()
    const admin = await createUser({ role: 'admin' })
    const { token: adminToken } = await login(admin.username)
    expect((await client.api.users[':id'].$delete({ param: { id: user.id } }, bearer(adminToken))).status).toBe(204)
    await expectRefreshRefused(await refreshOf(refreshToken))
  })

  it('stores nothing when refused', async () => {
    const count = () => db.$count(refreshFamilies)
    const before = await count()
    for (const refreshToken of [NEVER_ISSUED, 'short', 'x'.repeat(10_000)]) {
      await expectRefreshRefused(await request(REFRESH, { method: 'POST', json: { refreshToken } }))
    }
    expect(await count()).toEqual(before)
  })
})
