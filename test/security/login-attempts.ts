import { env } from 'cloudflare:workers'
import { inArray } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { expect } from 'vitest'
import type { ThrottleKeys } from '../../src/data/login-throttles'
import { loginThrottles } from '../../src/data/schema'
import { request } from '../helpers'

export const SMALL_LIMITS = {
  LOGIN_MAX_FAILURES_ACCOUNT_IP: '3',
  LOGIN_MAX_FAILURES_ACCOUNT: '6',
  LOGIN_MAX_FAILURES_IP: '10',
  LOGIN_LOCKOUT_SECONDS: '30',
  LOGIN_MAX_LOCKOUT_SECONDS: '3600',
  LOGIN_FAILURE_WINDOW_SECONDS: '900',
}

export const group = () => crypto.getRandomValues(new Uint16Array(1))[0].toString(16)
/** An address in a /64 no other test uses. */
export const randomIp = () => `2001:db8:${group()}:${group()}::${group()}`

export function loginAs(username: string, password: string, ip: string, limits: Partial<Env> = SMALL_LIMITS) {
  return request('/api/auth/login', {
    method: 'POST',
    env: limits,
    json: { username, password },
    headers: { 'CF-Connecting-IP': ip },
  })
}

/** A password change by the holder of `token`, from `ip`, under `limits`. */
export function changePasswordAs(
  token: string,
  currentPassword: string,
  ip: string,
  limits: Partial<Env> = SMALL_LIMITS,
) {
  return request('/api/auth/password', {
    method: 'POST',
    env: limits,
    token,
    json: { currentPassword, newPassword: 'a brand new password' },
    headers: { 'CF-Connecting-IP': ip },
  })
}

export async function expectBlocked(res: Response) {
  expect(res.status).toBe(429)
  expect(await res.json()).toEqual({ error: 'Too many attempts', code: 'too_many_attempts' })
  const retryAfter = Number(res.headers.get('Retry-After'))
  expect(retryAfter).toBeGreaterThan(0)
  return retryAfter
}

/** The counters of `keys`, by kind. */
export async function counters(keys: ThrottleKeys) {
  const rows = await drizzle(env.DB)
    .select()
    .from(loginThrottles)
    .where(inArray(loginThrottles.key, Object.values(keys)))
  const byKey = new Map(rows.map((row) => [row.key, row]))
  return { ip: byKey.get(keys.ip), account: byKey.get(keys.account), pair: byKey.get(keys.pair) }
}

/** Moves counters' clocks back, as if `seconds` had passed. */
export const passTime = (keys: Partial<ThrottleKeys>, seconds: number) =>
  env.DB.prepare(
    `update login_throttles set last_attempt_at = last_attempt_at - ?1, blocked_until = blocked_until - ?1,
      next_clean_attempt_at = next_clean_attempt_at - ?1, expires_at = expires_at - ?1 where key in (?2, ?3, ?4)`,
  )
    .bind(seconds, keys.ip ?? null, keys.account ?? null, keys.pair ?? null)
    .run()
