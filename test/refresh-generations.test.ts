import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { mintRefreshToken } from '../src/auth/refresh-token-codec'
import { type InvalidRefreshReason, refresh, startFamily } from '../src/auth/refresh-tokens'
import { batchByName } from '../src/data/client'
import { revokeFamily } from '../src/data/refresh-tokens'
import { refreshFamilies, users } from '../src/data/schema'
import { findAccount } from '../src/data/users'
import { settingsOf } from '../src/settings'
import { createUser, eventsAbout } from './helpers'

const db = drizzle(env.DB)
const settings = (await settingsOf(env)).refresh
const origin = { actorUserId: null, ip: '192.0.2.8', userAgent: 'refresh-generations-test' }
const REUSE = settings.reuseIntervalMs
// The shipped rate: 10 at once, then one per 6 s.
const COST = settings.rotationCostMs

/** A new user, logged in at `now`: their family and its first refresh token, written as a login would. */
async function loggedIn(now: Date) {
  const { id } = await createUser()
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new Error('user not written')
  const family = await startFamily(db, user, settings, now)
  await batchByName(db, family.statements)
  return { user, ...family }
}

const refreshAt = (token: string, now: number) => refresh(db, token, settings, { origin, now: new Date(now) })

/** The successor a refresh answered with; fails the test on any other answer. */
async function rotated(token: string, now: number) {
  const result = await refreshAt(token, now)
  if (result.result !== 'rotated') throw new Error(`expected rotated, got ${JSON.stringify(result)}`)
  return result.refreshToken
}

/** A login at `t0` and `count` rotations a rate's room apart: every token of it, oldest first. */
async function rotatedTimes(count: number, t0: number) {
  const family = await loggedIn(new Date(t0))
  const tokens = [family.refreshToken]
  for (let i = 1; i <= count; i++) tokens.push(await rotated(tokens[i - 1], t0 + i * COST))
  return { ...family, tokens, lastRotation: t0 + count * COST }
}

const familyRow = (id: string) => db.select().from(refreshFamilies).where(eq(refreshFamilies.id, id)).get()

const invalid = (reason: InvalidRefreshReason) => ({ result: 'invalid', reason })

describe('a superseded refresh token', () => {
  it.each([1, 2, 3, 10, 300])(
    '%i generations back, after the interval, revokes its family and its access tokens',
    async (back) => {
      const t0 = Date.now() - 3 * 3_600_000
      const { user, familyId, tokens, lastRotation } = await rotatedTimes(back, t0)
      // The token `back` generations before the current one, rotated at least the interval ago.
      const replayAt = lastRotation + REUSE + 1
      expect(await refreshAt(tokens[0], replayAt)).toMatchObject({ result: 'reused', familyId })
      expect((await familyRow(familyId))?.revokedAt).toEqual(new Date(replayAt))
      expect(await refreshAt(tokens[back], replayAt + 1)).toEqual(invalid('revoked'))
      expect((await findAccount(db, { userId: user.id, jti: crypto.randomUUID(), familyId }))?.revoked).toBeTruthy()
      expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual(['refresh_token_reused'])
    },
  )

  it('within the interval: the token before gets the same successor, the one before that is refused, anything older revokes', async () => {
    const t0 = Date.now() - 3_600_000
    const { familyId, refreshToken } = await loggedIn(new Date(t0))
    const tokens = [refreshToken]
    // Three rotations within one interval: more than any honest race spans.
    for (let i = 1; i <= 3; i++) tokens.push(await rotated(tokens[i - 1], t0 + i * 1000))
    const now = t0 + 3500
    expect(await refreshAt(tokens[2], now)).toMatchObject({ result: 'rotated', refreshToken: tokens[3] })
    expect(await refreshAt(tokens[1], now)).toEqual(invalid('superseded'))
    expect((await familyRow(familyId))?.revokedAt).toBeNull()
    expect(await refreshAt(tokens[0], now)).toMatchObject({ result: 'reused', familyId })
  })

  it('of a generation its family never reached is unknown, even with a genuine MAC', async () => {
    const t0 = Date.now()
    const { familyId } = await loggedIn(new Date(t0))
    const ahead = await mintRefreshToken({ familyId, generation: 5 }, settings.keys[0])
    expect(await refreshAt(ahead, t0)).toEqual(invalid('unknown'))
    expect(await familyRow(familyId)).toMatchObject({ generation: 0, revokedAt: null })
  })
})

describe('a forged refresh token', () => {
  it('is refused as unknown before any D1 work, whatever family and generation it names', async () => {
    const t0 = Date.now()
    const { familyId, tokens } = await rotatedTimes(2, t0)
    const otherKey = await crypto.subtle.importKey(
      'raw',
      crypto.getRandomValues(new Uint8Array(32)),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    const batch = vi.spyOn(db, 'batch')
    try {
      for (const generation of [0, 1, 2, 3]) {
        const forged = await mintRefreshToken({ familyId, generation }, otherKey)
        expect(await refreshAt(forged, t0 + REUSE * 10)).toEqual(invalid('unknown'))
      }
      expect(batch).not.toHaveBeenCalled()
    } finally {
      batch.mockRestore()
    }
    expect(await familyRow(familyId)).toMatchObject({ generation: 2, revokedAt: null })
    await rotated(tokens[2], t0 + REUSE * 10)
  })
})

describe('the rate of a family', () => {
  it('lets 10 rotations through at once, then one per 6 s; the current token is refused in between, with the seconds left', async () => {
    const t0 = Date.now() - 3_600_000
    const { user, familyId, refreshToken } = await loggedIn(new Date(t0))
    let current = refreshToken
    for (let i = 0; i < 10; i++) current = await rotated(current, t0)
    expect(await refreshAt(current, t0)).toMatchObject({
      result: 'limited',
      retryAfter: 6,
      event: { type: 'refresh_rate_limited', subjectUserId: user.id },
    })
    // Audited once until the family rotates again.
    expect(await refreshAt(current, t0 + COST - 1)).toEqual({ result: 'limited', retryAfter: 1, event: null })
    current = await rotated(current, t0 + COST)
    expect(await refreshAt(current, t0 + COST)).toMatchObject({
      result: 'limited',
      retryAfter: 6,
      event: { type: 'refresh_rate_limited' },
    })
    expect(await familyRow(familyId)).toMatchObject({ generation: 11, revokedAt: null })
    // A family left alone for a minute has its whole budget again, no more.
    const rested = t0 + COST + 60_000
    for (let i = 0; i < 10; i++) current = await rotated(current, rested)
    expect((await refreshAt(current, rested)).result).toBe('limited')
  })

  it('answers a family refused anyway for what it is, not limited: expired, or revoked', async () => {
    const t0 = Date.now() - 40 * 86_400_000
    const expired = await loggedIn(new Date(t0))
    const revoked = await loggedIn(new Date(t0))
    const current = { expired: expired.refreshToken, revoked: revoked.refreshToken }
    for (let i = 0; i < 10; i++) {
      current.expired = await rotated(current.expired, t0)
      current.revoked = await rotated(current.revoked, t0)
    }
    expect(await refreshAt(current.expired, t0 + 30 * 86_400_000)).toEqual(invalid('expired'))
    await db.batch([revokeFamily(db, { familyId: revoked.familyId, userId: revoked.user.id }, new Date(t0))])
    expect(await refreshAt(current.revoked, t0)).toEqual(invalid('revoked'))
  })
})
