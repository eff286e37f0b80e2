import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { REFRESH_TOKEN_LENGTH, refresh, refreshSettings, startFamily } from '../../src/auth/refresh-tokens'
import { revokeFamily } from '../../src/data/refresh-tokens'
import { refreshTokens, users } from '../../src/data/schema'
import { findAccount } from '../../src/data/users'
import { createUser } from '../helpers'

const db = drizzle(env.DB)
const settings = await refreshSettings(env)
const origin = { actorUserId: null, ip: '198.51.100.9', userAgent: 'refresh-security-test' }

async function loggedIn(userId?: string) {
  const id = userId ?? (await createUser()).id
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new Error('user not written')
  const family = await startFamily(db, user, settings)
  await db.batch(family.statements)
  return { user, ...family }
}

const refreshOf = (token: string, now?: Date) => refresh(db, token, settings, { origin, now })

const sha256 = async (text: string) =>
  btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

describe('refresh token input', () => {
  it('refuses anything but the exact shape before any hashing or D1', async () => {
    const { refreshToken } = await loggedIn()
    // 'B' as the last character sets a spare bit: a second spelling of 32 bytes, refused.
    const inputs = [
      '',
      'a',
      `${refreshToken}=`,
      `${refreshToken.slice(0, -1)}B`,
      `${refreshToken.slice(0, -1)}+`,
      refreshToken.slice(1),
      ` ${refreshToken.slice(1)}`,
      'é'.repeat(REFRESH_TOKEN_LENGTH),
      `${refreshToken}.${refreshToken}.${refreshToken}`,
      'x'.repeat(1_000_000),
    ]
    const digest = vi.spyOn(crypto.subtle, 'digest')
    const sign = vi.spyOn(crypto.subtle, 'sign')
    const batch = vi.spyOn(db, 'batch')
    try {
      for (const input of inputs) {
        expect(await refreshOf(input), input.slice(0, 50)).toEqual({ result: 'invalid', reason: 'malformed' })
      }
      expect(digest).not.toHaveBeenCalled()
      expect(sign).not.toHaveBeenCalled()
      expect(batch).not.toHaveBeenCalled()
    } finally {
      digest.mockRestore()
      sign.mockRestore()
      batch.mockRestore()
    }
  })

  it('refuses a well-formed token never issued', async () => {
    const forged = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '')
    expect(await refreshOf(forged)).toEqual({ result: 'invalid', reason: 'unknown' })
  })
})

describe('refresh token storage', () => {
  it('keeps only SHA-256 of each token, and the token nowhere', async () => {
    const { refreshToken, familyId } = await loggedIn()
    const now = new Date()
    const second = await refreshOf(refreshToken, now)
    if (second.result !== 'rotated') throw new Error(`expected rotated, got ${second.result}`)
    // A replay, so that the audit trail has a row about this family too.
    expect((await refreshOf(refreshToken, new Date(now.getTime() + settings.reuseIntervalMs + 1))).result).toBe(
      'reused',
    )

    const stored = await db
      .select({ hash: refreshTokens.hash })
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, familyId))
    expect(stored.map((row) => row.hash).sort()).toEqual(
      (await Promise.all([refreshToken, second.refreshToken].map(sha256))).sort(),
    )
    const everything = await Promise.all(
      ['refresh_families', 'refresh_tokens', 'auth_events'].map(async (table) =>
        JSON.stringify((await env.DB.prepare(`select * from ${table}`).all()).results),
      ),
    )
    for (const token of [refreshToken, second.refreshToken]) {
      for (const rows of everything) expect(rows).not.toContain(token)
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

  it('never branch, even when racing requests derive successors under different keys (a JWT_SECRET rotation)', async () => {
    const { familyId, refreshToken } = await loggedIn()
    const rotatedKey = await refreshSettings({ ...env, JWT_SECRET: 'the-next-jwt-secret-0123456789abcdef0123' })
    const first = await refreshOf(refreshToken)
    expect(first.result).toBe('rotated')
    expect(await refresh(db, refreshToken, rotatedKey, { origin })).toEqual({ result: 'invalid', reason: 'superseded' })
    expect(await db.$count(refreshTokens, eq(refreshTokens.familyId, familyId))).toBe(2)
  })
})
