import { env } from 'cloudflare:workers'
import { like } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { loginThrottles } from '../../src/db/schema'
import { apiWithEnv, createUser, DEFAULT_PASSWORD, signedIn, uniqueName } from '../helpers'

const SMALL_LIMITS = {
  LOGIN_MAX_FAILURES_ACCOUNT_IP: '3',
  LOGIN_MAX_FAILURES_ACCOUNT: '6',
  LOGIN_MAX_FAILURES_IP: '10',
  LOGIN_LOCKOUT_SECONDS: '30',
  LOGIN_MAX_LOCKOUT_SECONDS: '3600',
  LOGIN_FAILURE_WINDOW_SECONDS: '900',
}

const db = drizzle(env.DB)
const randomIp = () =>
  `2001:db8::${Array.from(crypto.getRandomValues(new Uint16Array(2)), (n) => n.toString(16)).join(':')}`

function loginAs(username: string, password: string, ip: string) {
  return apiWithEnv(SMALL_LIMITS, '/api/auth/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip },
    body: JSON.stringify({ username, password }),
  })
}

async function failTimes(times: number, username: string, ip: string) {
  for (let i = 0; i < times; i++) expect((await loginAs(username, 'wrong password', ip)).status).toBe(401)
}

async function expectBlocked(res: Response) {
  expect(res.status).toBe(429)
  expect(await res.json()).toEqual({ error: 'Too many attempts', code: 'too_many_attempts' })
  const retryAfter = Number(res.headers.get('Retry-After'))
  expect(retryAfter).toBeGreaterThan(0)
  return retryAfter
}

/** Moves a counter's clock back, as if `seconds` had passed. */
const passTime = (keyPattern: string, seconds: number) =>
  env.DB.prepare(
    'update login_throttles set last_failed_at = last_failed_at - ?1, blocked_until = blocked_until - ?1 where key like ?2',
  )
    .bind(seconds, keyPattern)
    .run()

describe('brute-force protection', () => {
  it('blocks an account from one IP after its failures, even with the right password, with Retry-After', async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(3, user.username, ip)
    const retryAfter = await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
    expect(retryAfter).toBeLessThanOrEqual(30)
  })

  it('does not lock the account out for other IPs as fast as for the failing one', async () => {
    const user = await createUser()
    await failTimes(3, user.username, randomIp())
    expect((await loginAs(user.username, DEFAULT_PASSWORD, randomIp())).status).toBe(200)
  })

  it('blocks an account for everyone once failures from many IPs pass its own, higher limit', async () => {
    const user = await createUser()
    for (let i = 0; i < 6; i++) await failTimes(1, user.username, randomIp())
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, randomIp()))
  })

  it('blocks an IP that fails across many accounts (credential stuffing)', async () => {
    const ip = randomIp()
    for (let i = 0; i < 10; i++) await failTimes(1, uniqueName('victim'), ip)
    const user = await createUser()
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
  })

  it('treats an unknown account exactly like a real one', async () => {
    const ip = randomIp()
    const ghost = uniqueName('ghost')
    await failTimes(3, ghost, ip)
    await expectBlocked(await loginAs(ghost, DEFAULT_PASSWORD, ip))
  })

  it('doubles the block for every failure past the limit', async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(3, user.username, ip)
    // A second may tick between the blocking failure and this request.
    expect([29, 30]).toContain(await expectBlocked(await loginAs(user.username, 'wrong password', ip)))
    await passTime(`account-ip:${user.username.toLowerCase()}|%`, 31)
    await failTimes(1, user.username, ip)
    expect([59, 60]).toContain(await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip)))
  })

  it('lets the block lapse, and forgets failures older than the window', async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(3, user.username, ip)
    await passTime(`%${user.username.toLowerCase()}%`, 901)
    await failTimes(2, user.username, ip)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, ip)).status).toBe(200)
  })

  it("resets the account's counters on success", async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(2, user.username, ip)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, ip)).status).toBe(200)
    await failTimes(2, user.username, ip)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, ip)).status).toBe(200)
    const rows = await db
      .select()
      .from(loginThrottles)
      .where(like(loginThrottles.key, `account%${user.username.toLowerCase()}%`))
    expect(rows).toEqual([])
  })

  it('counts a wrong current password on a password change as a failed login', async () => {
    const { user, token } = await signedIn()
    const ip = randomIp()
    const change = (currentPassword: string) =>
      apiWithEnv(SMALL_LIMITS, '/api/auth/password', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'CF-Connecting-IP': ip },
        body: JSON.stringify({ currentPassword, newPassword: 'a brand new password' }),
      })
    for (let i = 0; i < 3; i++) expect((await change('wrong password')).status).toBe(401)
    await expectBlocked(await change(DEFAULT_PASSWORD))
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
  })
})
