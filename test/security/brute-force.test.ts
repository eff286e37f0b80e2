import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { throttleKeys } from '../../src/auth/password-check'
import { clientAddress } from '../../src/lib/client-address'
import { settingsOf } from '../../src/settings'
import { createUser, DEFAULT_PASSWORD, eventsAbout, newSession, uniqueName } from '../helpers'
import {
  changePasswordAs,
  counters,
  expectBlocked,
  group,
  loginAs,
  passTime,
  randomIp,
  SMALL_LIMITS,
} from './login-attempts'

const { peppers } = (await settingsOf(env)).passwords

async function failTimes(times: number, username: string, ip: string) {
  for (let i = 0; i < times; i++) expect((await loginAs(username, 'wrong password', ip)).status).toBe(401)
}

/** A new user, a client of its own, and the names of the counters its logins are charged to. */
async function userAndClient() {
  const user = await createUser()
  const ip = randomIp()
  return { user, ip, keys: await throttleKeys(peppers.current, user.username, clientAddress(ip).network) }
}

describe('brute-force protection', () => {
  it('blocks an account from one client after its failures, even with the right password, with Retry-After', async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(3, user.username, ip)
    const retryAfter = await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
    expect(retryAfter).toBeLessThanOrEqual(30)
  })

  it('counts an IPv6 client by its /64: another address in the same network is the same client', async () => {
    const user = await createUser()
    const network = `2001:db8:${group()}:${group()}`
    for (let i = 1; i <= 3; i++) {
      expect((await loginAs(user.username, 'wrong password', `${network}::${i}`)).status).toBe(401)
    }
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, `${network}:ffff:ffff:ffff:ffff`))
    expect((await loginAs(user.username, DEFAULT_PASSWORD, randomIp())).status).toBe(200)
  })

  it('does not lock the account out for other clients as fast as for the failing one', async () => {
    const user = await createUser()
    await failTimes(3, user.username, randomIp())
    expect((await loginAs(user.username, DEFAULT_PASSWORD, randomIp())).status).toBe(200)
  })

  it('blocks an account for clients with a history once failures from many clients pass its own limit', async () => {
    const user = await createUser()
    const attackers = Array.from({ length: 6 }, randomIp)
    for (const ip of attackers) await failTimes(1, user.username, ip)
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, attackers[0]))
  })

  it('blocks a client that fails across many accounts (credential stuffing)', async () => {
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
})

describe('brute-force protection, over time', () => {
  it('doubles the block for every attempt past the limit', async () => {
    const { user, ip, keys } = await userAndClient()
    await failTimes(3, user.username, ip)
    // A second may tick between the blocking failure and this request.
    expect([29, 30]).toContain(await expectBlocked(await loginAs(user.username, 'wrong password', ip)))
    await passTime(keys, 31)
    await failTimes(1, user.username, ip)
    expect([59, 60]).toContain(await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip)))
  })

  it('drains one failure per quiet window, so the block halves per quiet window instead of starting over', async () => {
    const { user, ip, keys } = await userAndClient()
    // Three failures reach the limit (a 30 s block), three more double it each time: 240 s.
    await failTimes(3, user.username, ip)
    for (const block of [30, 60, 120]) {
      await passTime(keys, block + 1)
      await failTimes(1, user.username, ip)
    }
    expect((await counters(keys)).pair?.attempts).toBe(6)
    // The block is not quiet; the two full windows after it are, and drain two failures. The next
    // failure is the fifth again: 120 s, two steps down from 240 s, not back to the first 30 s.
    await passTime(keys, 240 + 2 * 900)
    await failTimes(1, user.username, ip)
    expect((await counters(keys)).pair?.attempts).toBe(5)
    expect([119, 120]).toContain(await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip)))
  })

  it('does not let a long block count as quiet time: a persistent attacker reaches the longest block', async () => {
    const { user, ip, keys } = await userAndClient()
    await failTimes(3, user.username, ip)
    let block = 30
    for (let i = 0; i < 10; i++) {
      await passTime(keys, block + 1)
      await failTimes(1, user.username, ip)
      block = await expectBlocked(await loginAs(user.username, 'wrong password', ip))
    }
    // 30 s doubled 10 times is far past the cap: it stays at the cap, however long each block was.
    expect([3599, 3600]).toContain(block)
  })

  it('forgets failures once quiet windows have drained them', async () => {
    const { user, ip, keys } = await userAndClient()
    await failTimes(3, user.username, ip)
    await passTime(keys, 30 + 3 * 900)
    await failTimes(2, user.username, ip)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, ip)).status).toBe(200)
  })
})

describe('brute-force protection, on success and elsewhere', () => {
  it('on success gives back only its own attempt, on every counter: the guesses before it still count', async () => {
    const { user, ip, keys } = await userAndClient()
    await failTimes(2, user.username, ip)
    expect((await loginAs(user.username, DEFAULT_PASSWORD, ip)).status).toBe(200)
    const after = await counters(keys)
    expect(after.pair?.attempts).toBe(2)
    expect(after.account?.attempts).toBe(2)
    expect(after.ip?.attempts).toBe(2)
    expect(after.account?.blockedUntil).toBe(0)
  })

  it('gives a client that knows the password no extra guesses: its wrong ones still stop at the limit', async () => {
    const limits = { ...SMALL_LIMITS, LOGIN_MAX_FAILURES_ACCOUNT_IP: '5', LOGIN_MAX_FAILURES_ACCOUNT: '50' }
    const user = await createUser()
    const ip = randomIp()
    const answers = []
    for (let i = 0; i < 4; i++) answers.push((await loginAs(user.username, 'wrong password', ip, limits)).status)
    answers.push((await loginAs(user.username, DEFAULT_PASSWORD, ip, limits)).status)
    for (let i = 0; i < 5; i++) answers.push((await loginAs(user.username, 'wrong password', ip, limits)).status)
    // The success gave back its own attempt only: one more guess, then the client is blocked.
    expect(answers).toEqual([401, 401, 401, 401, 200, 401, 429, 429, 429, 429])
  })

  it('counts a wrong current password on a password change as a failed login', async () => {
    const { user, token } = await newSession()
    const ip = randomIp()
    const change = (currentPassword: string) => changePasswordAs(token, currentPassword, ip)
    for (let i = 0; i < 3; i++) expect((await change('wrong password')).status).toBe(422)
    await expectBlocked(await change(DEFAULT_PASSWORD))
    await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
  })

  it('audits the start of a block once, not every refused attempt', async () => {
    const user = await createUser()
    const ip = randomIp()
    await failTimes(3, user.username, ip)
    for (let i = 0; i < 5; i++) await expectBlocked(await loginAs(user.username, DEFAULT_PASSWORD, ip))
    const types = (await eventsAbout(user.id)).map((event) => event.type)
    expect(types.filter((type) => type === 'login_failed')).toHaveLength(3)
    expect(types.filter((type) => type === 'login_blocked')).toHaveLength(1)
  })
})
