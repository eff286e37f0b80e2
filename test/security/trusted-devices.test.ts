import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { throttleKeys } from '../../src/auth/password-check'
import { trustedDevices } from '../../src/data/schema'
import { MAX_DEVICES_PER_ACCOUNT } from '../../src/data/trusted-devices'
import { hasOpaqueTokenShape, newOpaqueToken, opaqueTokenHash } from '../../src/lib/opaque-token'
import { settingsOf } from '../../src/settings'
import { bearer, client, createUser, DEFAULT_PASSWORD, newSession, request } from '../helpers'
import { expectBlocked, passTime, randomIp } from './login-attempts'

const db = drizzle(env.DB)
const { peppers } = (await settingsOf(env)).passwords

/** The limits of a deployment as shipped, but for the clean-client delay: the attack below lasts one test. */
const LIMITS = { LOGIN_LOCKOUT_SECONDS: '30' }

type Login = { token: string; refreshToken: string; deviceToken: string; deviceExpiresIn: number }

/** A login of `username` from `ip`, presenting `deviceToken` if given. */
const loginFrom = (
  ip: string,
  username: string,
  password: string,
  deviceToken?: string,
  limits: Partial<Env> = LIMITS,
) =>
  request('/api/auth/login', {
    method: 'POST',
    env: limits,
    json: { username, password, deviceToken },
    headers: { 'CF-Connecting-IP': ip },
  })

/** A successful login's answer, failing the test on any other status. */
async function loggedIn(res: Response): Promise<Login> {
  if (res.status !== 200) expect.fail(`login answered ${res.status}: ${await res.text()}`)
  return res.json()
}

/**
 * Blocks `username` for every client with a history, by 50 failures (the account's limit) from 50
 * addresses, then takes the clean-client slot from a new one, as the attacker in the issue does.
 */
async function blockFromEverywhere(username: string) {
  await Promise.all(Array.from({ length: 50 }, () => loginFrom(randomIp(), username, 'wrong password')))
  expect((await loginFrom(randomIp(), username, 'a guess')).status).toBe(401)
}

const devicesOf = (userId: string) => db.select().from(trustedDevices).where(eq(trustedDevices.userId, userId)).all()

describe('a device token', () => {
  it('is answered by a login and a password change: opaque, stored only as its hash, good for 90 days', async () => {
    const user = await createUser()
    const first = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    expect(hasOpaqueTokenShape(first.deviceToken)).toBe(true)
    expect(first.deviceExpiresIn).toBe(90 * 86_400)
    const rows = await devicesOf(user.id)
    expect(rows).toMatchObject([{ hash: await opaqueTokenHash(first.deviceToken), failures: 0 }])
    expect(JSON.stringify(rows)).not.toContain(first.deviceToken)

    const changed = await request('/api/auth/password', {
      method: 'POST',
      token: first.token,
      json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'another long password' },
    })
    const answer = await loggedIn(changed)
    expect(hasOpaqueTokenShape(answer.deviceToken)).toBe(true)
    expect(answer.deviceToken).not.toBe(first.deviceToken)
  })

  it('lets its owner in at the first try while strangers hold the account blocked and take every clean slot', async () => {
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    // Strangers block the account, and take the clean-client slot as it opens.
    await blockFromEverywhere(user.username)
    const { account } = await throttleKeys(peppers.current, user.username, '')
    for (let round = 0; round < 4; round++) {
      // The owner from a fresh address, without the device token, is held as documented…
      await expectBlocked(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
      // …while the slot reopens 30 s on, and a stranger from a new /64 takes it first.
      await passTime({ account }, 30)
      expect((await loginFrom(randomIp(), user.username, 'a guess')).status).toBe(401)
    }
    // …and with it gets in at once, from yet another address, keeping the same device token.
    const owner = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD, device.deviceToken))
    expect(owner.deviceToken).toBe(device.deviceToken)
    const { status } = await request('/api/auth/me', { env: LIMITS, token: owner.token })
    expect(status).toBe(200)
  })

  it('is counted on its own failures: a few, then it is spent and the login is a stranger’s', async () => {
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    await blockFromEverywhere(user.username)
    const ip = randomIp()
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom(ip, user.username, 'wrong', device.deviceToken)).status).toBe(401)
    }
    // Spent: the right password from it is now held by the account's block like anyone's.
    await expectBlocked(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD, device.deviceToken))
  })

  it('starts its failures over with a right password', async () => {
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    const ip = randomIp()
    for (let i = 0; i < 2; i++) await loginFrom(ip, user.username, 'wrong', device.deviceToken)
    await loggedIn(await loginFrom(ip, user.username, DEFAULT_PASSWORD, device.deviceToken))
    expect(await devicesOf(user.id)).toMatchObject([{ failures: 0 }])
  })

  it(`holds under 50 wrong logins at once: at most ${3} are counted on the device`, async () => {
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => loginFrom(randomIp(), user.username, 'wrong', device.deviceToken)),
    )
    expect(answers.every((res) => res.status === 401 || res.status === 429)).toBe(true)
    expect(await devicesOf(user.id)).toMatchObject([{ failures: 3 }])
  })
})

describe('a device token, refused, revoked or evicted', () => {
  it.each([
    [
      'of another account',
      async () =>
        (await loggedIn(await loginFrom(randomIp(), (await createUser()).username, DEFAULT_PASSWORD))).deviceToken,
    ],
    ['guessed', async () => newOpaqueToken()],
    ['malformed', async () => 'not a device token'],
    ['of 10,000 characters', async () => 'x'.repeat(10_000)],
  ])('%s is ignored: the login is a stranger’s, answered as any other', async (_what, tokenOf) => {
    const user = await createUser()
    await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    await blockFromEverywhere(user.username)
    const token = await tokenOf()
    await expectBlocked(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD, token))
    // Not blocked, a wrong password with it answers as without it.
    const other = await createUser()
    const withIt = await loginFrom(randomIp(), other.username, 'wrong', token)
    const without = await loginFrom(randomIp(), other.username, 'wrong')
    expect(withIt.status).toBe(401)
    expect(await withIt.json()).toEqual(await without.json())
  })

  it.each([
    [
      'expired',
      async (_token: string, userId: string) => {
        await db
          .update(trustedDevices)
          .set({ expiresAt: new Date(Date.now() - 1000) })
          .where(eq(trustedDevices.userId, userId))
      },
    ],
    [
      'revoked by logging out everywhere',
      async (token: string) => {
        expect((await client.api.auth['logout-all'].$post({}, bearer(token))).status).toBe(204)
      },
    ],
    [
      'revoked by a password change',
      async (token: string) => {
        const res = await client.api.auth.password.$post(
          { json: { currentPassword: DEFAULT_PASSWORD, newPassword: `${DEFAULT_PASSWORD}!` } },
          bearer(token),
        )
        expect(res.status).toBe(200)
      },
    ],
  ])('%s is ignored', async (_what, revoke) => {
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    await revoke(device.token, user.id)
    await blockFromEverywhere(user.username)
    await expectBlocked(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD, device.deviceToken))
  })

  it('is revoked by disabling the account, and goes with it when it is deleted', async () => {
    const { token: admin } = await newSession('admin')
    const user = await createUser()
    const device = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    const patch = await request(`/api/users/${user.id}`, {
      method: 'PATCH',
      env: LIMITS,
      token: admin,
      json: { disabled: true },
    })
    expect(patch.status).toBe(200)
    await request(`/api/users/${user.id}`, { method: 'PATCH', env: LIMITS, token: admin, json: { disabled: false } })
    await blockFromEverywhere(user.username)
    await expectBlocked(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD, device.deviceToken))

    expect((await request(`/api/users/${user.id}`, { method: 'DELETE', env: LIMITS, token: admin })).status).toBe(204)
    expect(await devicesOf(user.id)).toEqual([])
  })

  it(`is kept for at most ${MAX_DEVICES_PER_ACCOUNT} devices an account, the least recently used going first`, async () => {
    const user = await createUser()
    const first = await loggedIn(await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD))
    for (let i = 0; i < MAX_DEVICES_PER_ACCOUNT + 4; i++) await loginFrom(randomIp(), user.username, DEFAULT_PASSWORD)
    const rows = await devicesOf(user.id)
    expect(rows).toHaveLength(MAX_DEVICES_PER_ACCOUNT)
    expect(rows.map((row) => row.hash)).not.toContain(await opaqueTokenHash(first.deviceToken))
  })
})
