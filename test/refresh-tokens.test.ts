import { env } from 'cloudflare:workers'
import { eq, sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { decode } from 'hono/jwt'
import { describe, expect, it, vi } from 'vitest'
import { hasRefreshTokenShape, refresh, startFamily } from '../src/auth/refresh-tokens'
import { issueToken } from '../src/auth/tokens'
import { batchByName } from '../src/data/client'
import { refreshFamilies, users } from '../src/data/schema'
import { findAccount } from '../src/data/users'
import { settingsOf } from '../src/settings'
import { createUser, eventsAbout } from './helpers'

const db = drizzle(env.DB)
const settings = (await settingsOf(env)).refresh
const origin = { actorUserId: null, ip: '192.0.2.7', userAgent: 'refresh-test' }
const DAY = 86_400_000
const REUSE = settings.reuseIntervalMs

/** A new user, logged in at `now`: their family and its first refresh token, written as a login would. */
async function loggedIn(now = new Date()) {
  const { id } = await createUser()
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new Error('user not written')
  const family = await startFamily(db, user, settings, now)
  await batchByName(db, family.statements)
  return { user, ...family }
}

const refreshAt = (token: string, now: Date) => refresh(db, token, settings, { origin, now })

/** `time` plus `ms`. */
const later = (time: Date, ms: number) => new Date(time.getTime() + ms)

/** The successor a refresh answered with; fails the test on any other answer. */
async function rotated(token: string, now: Date) {
  const result = await refreshAt(token, now)
  if (result.result !== 'rotated') throw new Error(`expected rotated, got ${JSON.stringify(result)}`)
  return result
}

const familyRow = (id: string) => db.select().from(refreshFamilies).where(eq(refreshFamilies.id, id)).get()

describe('refresh tokens', () => {
  it('are 72 base64url characters, and rotate: each refresh answers a new token of the same family', async () => {
    const t0 = new Date()
    const { user, familyId, refreshToken, refreshExpiresIn } = await loggedIn(t0)
    expect(hasRefreshTokenShape(refreshToken)).toBe(true)
    expect(refreshExpiresIn).toBe(14 * 86_400)

    const first = await rotated(refreshToken, later(t0, DAY))
    expect(first).toMatchObject({ familyId, user: { id: user.id, username: user.username } })
    expect(first.refreshToken).not.toBe(refreshToken)
    expect(hasRefreshTokenShape(first.refreshToken)).toBe(true)
    expect(first.refreshExpiresIn).toBe(14 * 86_400)
    const second = await rotated(first.refreshToken, later(t0, 2 * DAY))
    expect(new Set([refreshToken, first.refreshToken, second.refreshToken]).size).toBe(3)
  })

  it('costs one D1 round trip and no PBKDF2', async () => {
    const { refreshToken } = await loggedIn()
    const statement = Object.getPrototypeOf(env.DB.prepare('select 1'))
    const spies = [
      vi.spyOn(env.DB, 'batch'),
      ...(['all', 'raw', 'run', 'first'] as const).map((method) => vi.spyOn(statement, method)),
    ]
    const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits')
    try {
      expect((await refresh(db, refreshToken, settings, { origin })).result).toBe('rotated')
      expect(spies.map((spy) => spy.mock.calls.length)).toEqual([1, 0, 0, 0, 0])
      expect(deriveBits).not.toHaveBeenCalled()
    } finally {
      for (const spy of [...spies, deriveBits]) spy.mockRestore()
    }
  })

  it('names the family in the access tokens issued from it', async () => {
    const { user, familyId } = await loggedIn()
    const { token } = await issueToken(user, (await settingsOf(env)).tokens, familyId)
    expect(decode(token).payload.fam).toBe(familyId)
  })
})

describe('refresh tokens, replayed or raced', () => {
  it('revokes the family, its access tokens too, when a token rotated before the reuse interval comes back', async () => {
    const t0 = new Date()
    const { user, familyId, refreshToken } = await loggedIn(t0)
    const successor = await rotated(refreshToken, t0)

    const replay = await refreshAt(refreshToken, later(t0, REUSE + 1))
    expect(replay).toMatchObject({ result: 'reused', familyId, event: { subjectUserId: user.id } })
    expect((await familyRow(familyId))?.revokedAt).toEqual(later(t0, REUSE + 1))
    // The successor the honest client holds dies with the family, and so do its access tokens.
    expect(await refreshAt(successor.refreshToken, later(t0, REUSE + 2))).toEqual({
      result: 'invalid',
      reason: 'revoked',
    })
    const account = await findAccount(db, { userId: user.id, jti: crypto.randomUUID(), familyId })
    expect(account?.revoked).toBeTruthy()
    // Access tokens of another login, or from before refresh tokens, are not.
    expect((await findAccount(db, { userId: user.id, jti: crypto.randomUUID() }))?.revoked).toBeFalsy()

    const events = await eventsAbout(user.id)
    expect(events).toEqual([
      expect.objectContaining({
        type: 'refresh_token_reused',
        actorUserId: null,
        ip: origin.ip,
        userAgent: 'refresh-test',
      }),
    ])
  })

  it('answers every request racing with one token the same successor, and revokes nothing', async () => {
    const { user, familyId, refreshToken } = await loggedIn()
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(db, refreshToken, settings, { origin })))
    expect(results.map((result) => result.result)).toEqual(Array(20).fill('rotated'))
    const successors = new Set(results.map((result) => (result.result === 'rotated' ? result.refreshToken : '')))
    expect(successors.size).toBe(1)
    // One row for the family, moved on one generation: the first token and its one successor.
    expect(await familyRow(familyId)).toMatchObject({ generation: 1, revokedAt: null })
    expect(await eventsAbout(user.id)).toEqual([])

    // A straggler still inside the interval gets the same answer, and the successor works.
    const [successor] = successors
    const late = await rotated(refreshToken, later(new Date(), REUSE - 1000))
    expect(late.refreshToken).toBe(successor)
    await rotated(successor, later(new Date(), 1000))
  })

  it('treats the same race just after the interval as a replay: one request revokes, once, and none gets a token', async () => {
    const t0 = new Date()
    const { user, familyId, refreshToken } = await loggedIn(t0)
    await rotated(refreshToken, t0)
    const late = later(t0, REUSE + 1)
    const results = await Promise.all(Array.from({ length: 20 }, () => refreshAt(refreshToken, late)))
    expect(results.filter((result) => result.result === 'reused')).toHaveLength(1)
    expect(results.filter((result) => result.result === 'invalid' && result.reason === 'revoked')).toHaveLength(19)
    expect((await familyRow(familyId))?.revokedAt).toEqual(late)
    expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual(['refresh_token_reused'])
  })

  it('does not hand out a successor that was already rotated in turn, nor revoke for it', async () => {
    const t0 = new Date()
    const { familyId, refreshToken } = await loggedIn(t0)
    const first = await rotated(refreshToken, t0)
    await rotated(first.refreshToken, later(t0, 1000))
    expect(await refreshAt(refreshToken, later(t0, 2000))).toEqual({ result: 'invalid', reason: 'superseded' })
    expect((await familyRow(familyId))?.revokedAt).toBeNull()
  })
})

describe('refresh tokens, expired or revoked', () => {
  it('refuses a token unused for the idle limit', async () => {
    const t0 = new Date(Date.now() - 20 * DAY)
    const idle = await loggedIn(t0)
    expect(await refreshAt(idle.refreshToken, later(t0, 14 * DAY))).toEqual({ result: 'invalid', reason: 'expired' })
    const used = await loggedIn(t0)
    await rotated(used.refreshToken, later(t0, 14 * DAY - 1))
  })

  it('refuses every token of a family after the absolute limit, however recently used', async () => {
    const t0 = new Date(Date.now() - 40 * DAY)
    let { refreshToken } = await loggedIn(t0)
    for (const day of [10, 20]) refreshToken = (await rotated(refreshToken, later(t0, day * DAY))).refreshToken
    const last = await rotated(refreshToken, later(t0, 29 * DAY))
    // The new token's lifetime is cut to what is left of the family's.
    expect(last.refreshExpiresIn).toBe(86_400)
    expect(await refreshAt(last.refreshToken, later(t0, 30 * DAY))).toEqual({ result: 'invalid', reason: 'expired' })
  })

  it("refuses a token once the user's token_version moved on, while disabled, and after deletion", async () => {
    const moved = await loggedIn()
    await db
      .update(users)
      .set({ tokenVersion: sql`${users.tokenVersion} + 1` })
      .where(eq(users.id, moved.user.id))
    expect(await refresh(db, moved.refreshToken, settings, { origin })).toEqual({
      result: 'invalid',
      reason: 'revoked',
    })

    const disabled = await loggedIn()
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.user.id))
    expect(await refresh(db, disabled.refreshToken, settings, { origin })).toEqual({
      result: 'invalid',
      reason: 'revoked',
    })

    const deleted = await loggedIn()
    await db.delete(users).where(eq(users.id, deleted.user.id))
    expect(await refresh(db, deleted.refreshToken, settings, { origin })).toEqual({
      result: 'invalid',
      reason: 'unknown',
    })
    expect(await familyRow(deleted.familyId)).toBeUndefined()
  })

  it('writes no family for a login whose token_version moved on before its batch ran', async () => {
    const { id } = await createUser()
    const stale = { id, tokenVersion: 0 }
    await db.update(users).set({ tokenVersion: 1 }).where(eq(users.id, id))
    const family = await startFamily(db, stale, settings)
    await batchByName(db, family.statements)
    expect(await familyRow(family.familyId)).toBeUndefined()
    expect(await refresh(db, family.refreshToken, settings, { origin })).toEqual({
      result: 'invalid',
      reason: 'unknown',
    })
  })
})
