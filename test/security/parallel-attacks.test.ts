import { env } from 'cloudflare:workers'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { throttleKeys } from '../../src/auth/password-check'
import { loginThrottles } from '../../src/data/schema'
import { settingsOf } from '../../src/settings'
import { createUser, DEFAULT_PASSWORD, newSession, uniqueName } from '../helpers'
import { changePasswordAs, expectBlocked, loginAs, passTime, randomIp, SMALL_LIMITS } from './login-attempts'

const { peppers } = (await settingsOf(env)).passwords

/** The production limits: 5 per account and client, 50 per account, 100 per client. */
const DEFAULT_LIMITS = {}

/** Runs `attack` and counts the PBKDF2 runs the Worker did meanwhile: one per password checked. */
async function passwordChecksDuring<T>(attack: () => Promise<T>) {
  const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits')
  try {
    const result = await attack()
    return { result, checks: deriveBits.mock.calls.length }
  } finally {
    deriveBits.mockRestore()
  }
}

const statuses = (responses: Response[]) => {
  const count = new Map<number, number>()
  for (const res of responses) count.set(res.status, (count.get(res.status) ?? 0) + 1)
  return count
}

describe('guessing in parallel', () => {
  it('checks at most the limit of 50 logins sent at once for one account from one client', async () => {
    const user = await createUser()
    const ip = randomIp()
    const passwords = Array.from({ length: 50 }, (_, i) => (i === 7 ? DEFAULT_PASSWORD : `wrong password ${i}`))
    const { result, checks } = await passwordChecksDuring(() =>
      Promise.all(passwords.map((password) => loginAs(user.username, password, ip, DEFAULT_LIMITS))),
    )
    const count = statuses(result)
    expect(checks).toBe(5)
    expect((count.get(401) ?? 0) + (count.get(200) ?? 0)).toBe(5)
    expect(count.get(429)).toBe(45)
    // Whoever got the five checks, the right password now gets 429 from that client.
    if (!count.has(200)) await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip, DEFAULT_LIMITS))
  })

  it('checks at most the limit of 30 current passwords sent at once to a password change', async () => {
    const { token } = await newSession()
    const ip = randomIp()
    const change = (currentPassword: string) => changePasswordAs(token, currentPassword, ip, DEFAULT_LIMITS)
    const { result, checks } = await passwordChecksDuring(() =>
      Promise.all(Array.from({ length: 30 }, (_, i) => change(`wrong password ${i}`))),
    )
    expect(checks).toBe(5)
    expect(statuses(result)).toEqual(
      new Map([
        [422, 5],
        [429, 25],
      ]),
    )
    await expectBlocked(await change(DEFAULT_PASSWORD))
  })

  it('counts 50 addresses of one /64 as one client, and keeps the account open to its owner', async () => {
    const user = await createUser()
    const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`
    const { result, checks } = await passwordChecksDuring(() =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          loginAs(user.username, 'wrong password', `${network}::${(i + 1).toString(16)}`, DEFAULT_LIMITS),
        ),
      ),
    )
    expect(checks).toBe(5)
    expect(statuses(result)).toEqual(
      new Map([
        [401, 5],
        [429, 45],
      ]),
    )
    expect((await loginAs(user.username, DEFAULT_PASSWORD, randomIp(), DEFAULT_LIMITS)).status).toBe(200)
  })

  it('lets the owner in from a clean address within a bounded delay while many clients attack the account', async () => {
    const user = await createUser()
    const { account } = await throttleKeys(peppers.current, user.username, 'any')
    // Twice the account's limit of 6, from 12 clients at once: 6 reach it, then one clean
    // client per LOGIN_LOCKOUT_SECONDS (30 s) gets through its block.
    const attackers = Array.from({ length: 12 }, randomIp)
    const attack = await Promise.all(attackers.map((ip) => loginAs(user.username, 'wrong password', ip)))
    expect(statuses(attack)).toEqual(
      new Map([
        [401, 7],
        [429, 5],
      ]),
    )
    // A client that has failed waits for the account's block, right password or not...
    const failed = attackers[attack.findIndex((res) => res.status === 401)]
    expect(await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, failed))).toBeGreaterThan(30)
    // ...a clean one at most 30 s, however long the account's block.
    const owner = randomIp()
    expect(await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, owner))).toBeLessThanOrEqual(30)
    await passTime({ account }, 31)
    // One check for a clean client, not one per request it sends at once; then 30 s for the next.
    const fresh = randomIp()
    const { result, checks } = await passwordChecksDuring(() =>
      Promise.all(Array.from({ length: 10 }, () => loginAs(user.username, 'wrong password', fresh))),
    )
    expect(checks).toBe(1)
    expect(statuses(result)).toEqual(
      new Map([
        [401, 1],
        [429, 9],
      ]),
    )
    await passTime({ account }, 31)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, owner)).status).toBe(200)
  })

  it('stores nothing for attempts it refuses, and fixed-size counters for the longest login allowed', async () => {
    const ip = randomIp()
    // U+FDFA becomes 18 characters under NFKC: 14 of them are 252 characters, just under the bound.
    const longest = '\uFDFA'.repeat(14)
    for (let i = 0; i < 10; i++) {
      const res = await loginAs(`${longest}${i}`, 'wrong password', ip)
      expect(res.status).toBe(401)
    }
    const rows = await drizzle(env.DB).select({ key: loginThrottles.key }).from(loginThrottles).all()
    expect(Math.max(...rows.map((row) => row.key.length))).toBeLessThanOrEqual(80)
    // The client is blocked now: 50 new logins from it, at once, add no row.
    const before = rows.length
    const refused = await Promise.all(
      Array.from({ length: 50 }, () => loginAs(uniqueName('ghost'), 'wrong password', ip)),
    )
    expect(statuses(refused)).toEqual(new Map([[429, 50]]))
    expect(await drizzle(env.DB).$count(loginThrottles)).toBe(before)
  })

  it('refuses, with 400, a login that NFKC makes longer than any account name', async () => {
    const res = await loginAs('\uFDFA'.repeat(15), 'wrong password', randomIp(), SMALL_LIMITS)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'validation_error' })
  })
})
