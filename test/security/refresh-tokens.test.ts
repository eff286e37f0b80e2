import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { REFRESH_TOKEN_LENGTH, refresh, startFamily } from '../../src/auth/refresh-tokens'
import { batchByName } from '../../src/data/client'
import { revokeFamily } from '../../src/data/refresh-tokens'
import { refreshFamilies, users } from '../../src/data/schema'
import { findAccount } from '../../src/data/users'
import { newOpaqueToken } from '../../src/lib/opaque-token'
import { settingsOf } from '../../src/settings'
import { createUser } from '../helpers'

const db = drizzle(env.DB)
const settings = (await settingsOf(env)).refresh
const origin = { actorUserId: null, ip: '198.51.100.9', userAgent: 'refresh-security-test' }

async function loggedIn(userId?: string) {
  const id = userId ?? (await createUser()).id
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new Error('user not written')
  const family = await startFamily(db, user, settings)
  await batchByName(db, family.statements)
  return { user, ...family }
}

const refreshOf = (token: string, now?: Date) => refresh(db, token, settings, { origin, now })

const familyRow = (id: string) => db.select().from(refreshFamilies).where(eq(refreshFamilies.id, id)).get()

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

describe('refresh token input', () => {
  it('refuses anything but the exact shape before any hashing or D1', async () => {
    const { refreshToken } = await loggedIn()
    const inputs = [
      '',
      'a',
      `${refreshToken}=`,
      `${refreshToken}A`,
      // The 43 characters refresh tokens once had, and device tokens have.
      newOpaqueToken(),
      `${refreshToken.slice(0, -1)}+`,
      refreshToken.slice(1),
      ` ${refreshToken.slice(1)}`,
      'é'.repeat(REFRESH_TOKEN_LENGTH),
      `${refreshToken}.${refreshToken}.${refreshToken}`,
      'x'.repeat(1_000_000),
    ]
    const digest = vi.spyOn(crypto.subtle, 'digest')
    const sign = vi.spyOn(crypto.subtle, 'sign')
    const verify = vi.spyOn(crypto.subtle, 'verify')
    const batch = vi.spyOn(db, 'batch')
    try {
      for (const input of inputs) {
        expect(await refreshOf(input), input.slice(0, 50)).toEqual({ result: 'invalid', reason: 'malformed' })
      }
      expect(digest).not.toHaveBeenCalled()
      expect(sign).not.toHaveBeenCalled()
      expect(verify).not.toHaveBeenCalled()
      expect(batch).not.toHaveBeenCalled()
    } finally {
      for (const spy of [digest, sign, verify, batch]) spy.mockRestore()
    }
  })

  it('refuses a well-formed token never issued', async () => {
    const forged = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(54))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    expect(await refreshOf(forged)).toEqual({ result: 'invalid', reason: 'unknown' })
  })
})

describe('refresh token storage', () => {
  it('keeps nothing of a token: not the token, its MAC or its SHA-256, in one row per family', async () => {
    const { refreshToken, familyId } = await loggedIn()
    const now = new Date()
    const second = await refreshOf(refreshToken, now)
    if (second.result !== 'rotated') throw new Error(`expected rotated, got ${second.result}`)
    // A replay, so that the audit trail has a row about this family too.
    expect((await refreshOf(refreshToken, new Date(now.getTime() + settings.reuseIntervalMs + 1))).result).toBe(
      'reused',
    )

    expect(await db.$count(refreshFamilies, eq(refreshFamilies.id, familyId))).toBe(1)
    const everything = await Promise.all(
      ['refresh_families', 'audit_events'].map(async (table) =>
        JSON.stringify((await env.DB.prepare(`select * from ${table}`).all()).results),
      ),
    )
    for (const token of [refreshToken, second.refreshToken]) {
      // From its 31st character on, a token spells its MAC alone.
      const secrets = [token, token.slice(30), await sha256(token)]
      for (const rows of everything) for (const secret of secrets) expect(rows).not.toContain(secret)
    }
  })
})

describe('refresh token families', () => {
  it('keep apart: a replay or a logout ends one family, not the same user’s other logins nor another user’s', async () => {
    const first = await loggedIn()
    const second = await loggedIn(first.user.id)
    const other = await loggedIn()
    const now = new Date()

    const next = await refreshOf(first.refreshToken, now)
    expect(next).toMatchObject({ result: 'rotated', familyId: first.familyId, user: { id: first.user.id } })
    expect((await refreshOf(first.refreshToken, new Date(now.getTime() + settings.reuseIntervalMs + 1))).result).toBe(
      'reused',
    )
    expect(await refreshOf(second.refreshToken)).toMatchObject({ result: 'rotated', familyId: second.familyId })
    expect(await refreshOf(other.refreshToken)).toMatchObject({ result: 'rotated', user: { id: other.user.id } })

    // Logging out names the family and the caller: another user's family is not the caller's to end.
    const later = await loggedIn(other.user.id)
    await db.batch([revokeFamily(db, { familyId: later.familyId, userId: first.user.id }, new Date())])
    const kept = await refreshOf(later.refreshToken)
    if (kept.result !== 'rotated') throw new Error(`expected rotated, got ${kept.result}`)
    await db.batch([revokeFamily(db, { familyId: later.familyId, userId: other.user.id }, new Date())])
    expect(await refreshOf(kept.refreshToken)).toEqual({ result: 'invalid', reason: 'revoked' })
    const jti = crypto.randomUUID()
    expect((await findAccount(db, { userId: other.user.id, jti, familyId: later.familyId }))?.revoked).toBeTruthy()
    expect((await findAccount(db, { userId: other.user.id, jti, familyId: other.familyId }))?.revoked).toBeFalsy()
  })

  it('never branch, even when racing requests mint successors under different keys (a JWT_SECRET rotation)', async () => {
    const { familyId, refreshToken } = await loggedIn()
    const nextSecret = 'the-next-jwt-secret-0123456789abcdef0123'
    const rotatedKey = (await settingsOf({ ...env, JWT_SECRET: nextSecret, JWT_SECRET_PREVIOUS: env.JWT_SECRET }))
      .refresh
    const first = await refreshOf(refreshToken)
    const second = await refresh(db, refreshToken, rotatedKey, { origin })
    if (first.result !== 'rotated' || second.result !== 'rotated') throw new Error('expected both rotated')
    // Two spellings, one generation: whichever is refreshed first, the other is its race.
    expect(second.refreshToken).not.toBe(first.refreshToken)
    expect(await familyRow(familyId)).toMatchObject({ generation: 1, revokedAt: null })
    const third = await refresh(db, second.refreshToken, rotatedKey, { origin })
    const raced = await refresh(db, first.refreshToken, rotatedKey, { origin })
    expect(third.result).toBe('rotated')
    expect(raced).toMatchObject({ result: 'rotated', refreshToken: (third as { refreshToken: string }).refreshToken })
    expect(await db.$count(refreshFamilies, eq(refreshFamilies.id, familyId))).toBe(1)

    // Without the previous secret (everyone logged out), a token of the old one is unknown: refused, nothing revoked.
    const replaced = (await settingsOf({ ...env, JWT_SECRET: nextSecret })).refresh
    const { refreshToken: old, familyId: oldFamily } = await loggedIn()
    expect(await refresh(db, old, replaced, { origin })).toEqual({ result: 'invalid', reason: 'unknown' })
    expect(await familyRow(oldFamily)).toMatchObject({ generation: 0, revokedAt: null })
  })
})
