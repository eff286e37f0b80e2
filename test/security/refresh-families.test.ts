import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { decode } from 'hono/jwt'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mintRefreshToken } from '../../src/auth/refresh-token-codec'
import { refreshFamilies } from '../../src/data/schema'
import { bearer, client, createUser, eventsAbout, expectRefreshRefused, login, request } from '../helpers'
import { randomIp } from './login-attempts'

// The Worker runs in this isolate: with Date frozen, every request of a round is at one
// millisecond, and the clock moves only when a test moves it. No assertion waits on real time.

const db = drizzle(env.DB)
const REUSE_MS = 10_000
/** A deployment that lets one login rotate as fast as it likes: what the storage bound must hold without the rate. */
const UNLIMITED = { REFRESH_ROTATIONS_PER_MINUTE: '60000' }

afterEach(() => {
  vi.useRealTimers()
})

/** Freezes Date at now, for the Worker as for the test; returns a function that moves it on by `ms`. */
function freezeClock() {
  vi.useFakeTimers({ toFake: ['Date'] })
  return (ms: number) => vi.setSystemTime(Date.now() + ms)
}

/** `POST /api/auth/refresh` from `ip`, under the shipped vars but `vars`. */
const refreshFrom = (refreshToken: string, { ip = randomIp(), vars = {} }: { ip?: string; vars?: Partial<Env> } = {}) =>
  request('/api/auth/refresh', {
    method: 'POST',
    env: vars,
    json: { refreshToken },
    headers: { 'CF-Connecting-IP': ip },
  })

/** `count` refreshes with `refreshToken` at once, each from an address of its own. */
const atOnce = (count: number, refreshToken: string, vars: Partial<Env> = {}) =>
  Promise.all(Array.from({ length: count }, () => refreshFrom(refreshToken, { vars })))

/** The tokens a refresh answered; fails the test on any other status. */
async function tokensOf(res: Response) {
  if (res.status !== 200) expect.fail(`refresh answered ${res.status}: ${await res.text()}`)
  return res.json<{ token: string; refreshToken: string }>()
}

/** A new user, logged in: the user, the login's answer and its family. */
async function loggedIn() {
  const user = await createUser()
  const answer = await login(user.username)
  return { user, ...answer, familyId: decode(answer.token).payload.fam as string }
}

const rowsOf = (familyId: string) => db.select().from(refreshFamilies).where(eq(refreshFamilies.id, familyId))

/** The types of the events about `userId`, sorted: with Date frozen, ids of one millisecond do not sort by time. */
const eventTypes = async (userId: string) => (await eventsAbout(userId)).map((event) => event.type).sort()

const meStatus = async (token: string) => (await client.api.auth.me.$get({}, bearer(token))).status

async function expectLimited(res: Response) {
  expect(res.status).toBe(429)
  expect(await res.json()).toEqual({ error: 'Too many refreshes', code: 'too_many_refreshes' })
}

describe('a refresh token family', () => {
  it('stays one row through 300 refreshes in a row, and its first token still revokes it after them', async () => {
    const moveClock = freezeClock()
    const { user, familyId, refreshToken } = await loggedIn()
    const tokens = [refreshToken]
    let last = { token: '', refreshToken }
    for (let i = 0; i < 300; i++) {
      last = await tokensOf(await refreshFrom(last.refreshToken, { vars: UNLIMITED }))
      tokens.push(last.refreshToken)
    }
    expect(new Set(tokens).size).toBe(301)
    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: 300, revokedAt: null })])
    expect(await db.$count(refreshFamilies, eq(refreshFamilies.userId, user.id))).toBe(1)

    moveClock(REUSE_MS + 1)
    await expectRefreshRefused(await refreshFrom(tokens[0]))
    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: 300, revokedAt: new Date() })])
    expect(await meStatus(last.token)).toBe(401)
    await expectRefreshRefused(await refreshFrom(last.refreshToken))
    expect(await eventTypes(user.id)).toEqual(['login_succeeded', 'refresh_token_reused'])
  })

  it('rotates 10 times of 300 refreshes in a row at the shipped rate; the rest answer 429 with Retry-After, revoking nothing', async () => {
    const moveClock = freezeClock()
    const { user, familyId, refreshToken } = await loggedIn()
    let current = refreshToken
    const statuses: number[] = []
    for (let i = 0; i < 300; i++) {
      const res = await refreshFrom(current)
      statuses.push(res.status)
      if (res.status === 200) current = (await tokensOf(res)).refreshToken
      else {
        expect(res.headers.get('Retry-After')).toBe('6')
        await expectLimited(res)
      }
    }
    expect(statuses.filter((status) => status === 200)).toHaveLength(10)
    expect(statuses.filter((status) => status === 429)).toHaveLength(290)
    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: 10, revokedAt: null })])
    // One audit row for the whole burst, not one per refused request.
    expect(await eventTypes(user.id)).toEqual(['login_succeeded', 'refresh_rate_limited'])

    // The token refused was never spent: 6 s later it rotates, once, and the next burst is audited again.
    moveClock(6000)
    const next = await tokensOf(await refreshFrom(current))
    await expectLimited(await refreshFrom(next.refreshToken))
    expect(await meStatus(next.token)).toBe(200)
    expect(await eventTypes(user.id)).toEqual(['login_succeeded', 'refresh_rate_limited', 'refresh_rate_limited'])
  })
})

describe('a refresh token family, under requests at once', () => {
  it('stays one row through 50 refreshes at once from 50 addresses, round after round', async () => {
    freezeClock()
    const { user, familyId, refreshToken } = await loggedIn()
    let current = refreshToken
    for (let round = 1; round <= 10; round++) {
      const bodies = await Promise.all((await atOnce(50, current, UNLIMITED)).map(tokensOf))
      const successors = new Set(bodies.map((body) => body.refreshToken))
      expect(successors.size).toBe(1)
      ;[current] = successors
      expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: round, revokedAt: null })])
    }
    expect(await eventTypes(user.id)).toEqual(['login_succeeded'])
  })

  it('holds its rate under 50 requests at once: 429 for all, one audit row, and neither a race answer nor a replay is held back', async () => {
    const moveClock = freezeClock()
    const { user, familyId, refreshToken } = await loggedIn()
    let previous = refreshToken
    let current = refreshToken
    for (let round = 0; round < 10; round++) {
      const [first] = await atOnce(50, current)
      previous = current
      current = (await tokensOf(first)).refreshToken
    }

    const refused = await atOnce(50, current)
    for (const res of refused) {
      expect(res.headers.get('Retry-After')).toBe('6')
      await expectLimited(res)
    }
    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: 10, revokedAt: null })])
    expect(await eventTypes(user.id)).toEqual(['login_succeeded', 'refresh_rate_limited'])

    // A racer with the token before gets the successor everyone got: no rotation, so no limit.
    for (const res of await atOnce(50, previous)) expect((await tokensOf(res)).refreshToken).toBe(current)
    // Later, it is a replay, and revokes: the limit never hides one.
    moveClock(REUSE_MS + 1)
    await expectRefreshRefused(await refreshFrom(previous))
    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ revokedAt: new Date() })])
    await expectRefreshRefused(await refreshFrom(current))
  })

  it('is not revoked by forged tokens, 50 at once from 50 addresses: its id with a wrong MAC, random, malformed, the largest body', async () => {
    const moveClock = freezeClock()
    const { user, familyId, refreshToken } = await loggedIn()
    const next = await tokensOf(await refreshFrom(refreshToken))
    moveClock(REUSE_MS + 1)
    const otherKey = await crypto.subtle.importKey(
      'raw',
      crypto.getRandomValues(new Uint8Array(32)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    const flipped = (token: string, at: number) =>
      `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
    const randomToken = () =>
      btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(54))))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
    const forged = [
      // Its family and generations, superseded (a replay, were it genuine) and current, under another key.
      await mintRefreshToken({ familyId, generation: 0 }, otherKey),
      await mintRefreshToken({ familyId, generation: 1 }, otherKey),
      // The genuine tokens with one character of their MAC changed, or of their claims.
      flipped(refreshToken, 60),
      flipped(next.refreshToken, 71),
      flipped(refreshToken, 25),
      randomToken(),
      '',
      refreshToken.slice(0, 43),
      `${refreshToken}A`,
      'é'.repeat(72),
      // The largest a body under the 16 KB limit can carry.
      'x'.repeat(16 * 1024 - 40),
    ]
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => refreshFrom(i < forged.length ? forged[i] : randomToken())),
    )
    for (const res of answers) await expectRefreshRefused(res)

    expect(await rowsOf(familyId)).toEqual([expect.objectContaining({ generation: 1, revokedAt: null })])
    expect(await eventTypes(user.id)).toEqual(['login_succeeded'])
    expect(await meStatus(next.token)).toBe(200)
    expect((await refreshFrom(next.refreshToken)).status).toBe(200)
  })
})
