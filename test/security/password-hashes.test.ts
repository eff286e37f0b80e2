import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { hashParams } from '../../src/auth/passwords'
import { users } from '../../src/data/schema'
import { settingsOf } from '../../src/settings'
import { buildUser } from '../../src/users/new-user'
import { consoleSpy, DEFAULT_PASSWORD, request, uniqueName } from '../helpers'
import { randomIp } from './login-attempts'

const db = drizzle(env.DB)
const OLD_PEPPER = 'the-pepper-before-the-rotation-0123456789'
const { hashing } = (await settingsOf(env)).passwords

/** A user whose hash was made with `iterations` and the pepper `secret` (null: a hash from before peppers). */
async function userHashedWith({ iterations = hashing.iterations, secret = env.PASSWORD_PEPPER as string | null }) {
  const username = uniqueName('hashed')
  const input = { username, email: `${username}@example.com`, password: DEFAULT_PASSWORD, role: 'member' as const }
  const pepper = (await settingsOf({ ...env, PASSWORD_PEPPER: secret ?? OLD_PEPPER })).passwords.hashing.pepper
  const row = await buildUser(input, { iterations, pepper })
  if (secret === null) row.passwordHash = await unpepperedHash(DEFAULT_PASSWORD, iterations)
  await db.insert(users).values(row)
  return row
}

/** A hash as written before peppers existed: PBKDF2 of the password itself. */
async function unpepperedHash(password: string, iterations: number) {
  const salt = crypto.getRandomValues(new Uint8Array(16))
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits'])
  const hash = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256)
  const b64 = (bytes: ArrayBuffer | Uint8Array) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/=+$/, '')
  return `$pbkdf2-sha256$i=${iterations}$${b64(salt)}$${b64(hash)}`
}

/** Logs in with `overrides` bound, from a client of its own; reports the PBKDF2 iterations run, in order. */
async function loginWith(overrides: Partial<Env>, username: string, password = DEFAULT_PASSWORD) {
  const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits')
  try {
    const res = await request('/api/auth/login', {
      method: 'POST',
      env: overrides,
      json: { username, password },
      headers: { 'CF-Connecting-IP': randomIp() },
    })
    const iterations = deriveBits.mock.calls.map(([params]) => (params as { iterations: number }).iterations)
    return { status: res.status, iterations }
  } finally {
    deriveBits.mockRestore()
  }
}

const storedParams = async (id: string) =>
  hashParams((await db.select().from(users).where(eq(users.id, id)).get())?.passwordHash)

describe('the pepper', () => {
  it('makes a hash useless without the pepper it was made with', async () => {
    const warn = consoleSpy('warn')
    const user = await userHashedWith({ secret: 'a-pepper-this-worker-never-had-0123456789' })
    const { status, iterations } = await loginWith({}, user.username)
    expect(status).toBe(401)
    // Still one full PBKDF2 run: a hash with an unknown pepper costs what any other does.
    expect(iterations).toEqual([hashing.iterations])
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('password_pepper_unknown'))
  })

  it('rotates: hashes of PASSWORD_PEPPER_PREVIOUS still verify and are upgraded at login', async () => {
    const user = await userHashedWith({ secret: OLD_PEPPER })
    const oldId = (await settingsOf({ ...env, PASSWORD_PEPPER: OLD_PEPPER })).passwords.hashing.pepper.id
    expect((await storedParams(user.id))?.pepperId).toBe(oldId)

    const rotated = { PASSWORD_PEPPER_PREVIOUS: OLD_PEPPER }
    expect((await loginWith(rotated, user.username)).status).toBe(200)
    expect((await storedParams(user.id))?.pepperId).toBe(hashing.pepper.id)
    // Once PASSWORD_PEPPER_PREVIOUS is gone, the upgraded user still logs in.
    expect((await loginWith({}, user.username)).status).toBe(200)
  })

  it('upgrades a hash made before peppers existed', async () => {
    const user = await userHashedWith({ secret: null })
    expect((await storedParams(user.id))?.pepperId).toBeNull()
    expect((await loginWith({}, user.username)).status).toBe(200)
    expect(await storedParams(user.id)).toEqual({ iterations: hashing.iterations, pepperId: hashing.pepper.id })
  })

  it('refuses to log anyone in while PASSWORD_PEPPER is missing or short', async () => {
    const log = consoleSpy()
    const user = await userHashedWith({})
    for (const secret of [undefined, 'x'.repeat(31)]) {
      expect((await loginWith({ PASSWORD_PEPPER: secret } as Partial<Env>, user.username)).status).toBe(503)
    }
    expect(log).toHaveBeenCalledWith(expect.stringContaining('PASSWORD_PEPPER is missing or shorter than 32 bytes'))
  })
})

describe('hash parameters that change', () => {
  it('re-hashes with the new PBKDF2_ITERATIONS after a successful login, once', async () => {
    const user = await userHashedWith({ iterations: 10_000 })
    const raised = { PBKDF2_ITERATIONS: '12000' }
    expect(await loginWith(raised, user.username)).toEqual({ status: 200, iterations: [10_000, 12_000] })
    expect((await storedParams(user.id))?.iterations).toBe(12_000)
    expect(await loginWith(raised, user.username)).toEqual({ status: 200, iterations: [12_000] })
  })

  it('does not re-hash after a failed login', async () => {
    const user = await userHashedWith({ iterations: 10_000 })
    expect(await loginWith({ PBKDF2_ITERATIONS: '12000' }, user.username, 'wrong password')).toEqual({
      status: 401,
      iterations: [10_000],
    })
    expect((await storedParams(user.id))?.iterations).toBe(10_000)
  })

  it("checks an unknown user against a real account's parameters, the same ones every time", async () => {
    // Stored hashes with two iteration counts, neither of them the one now configured.
    for (let i = 0; i < 6; i++) await userHashedWith({ iterations: i % 2 === 0 ? 11_000 : 13_000 })
    const changed = { PBKDF2_ITERATIONS: '20000' }
    // A stored hash that cannot be read (another test file's, in this shared D1) stands for the configured ones.
    const stored = new Set(
      (await db.select({ hash: users.passwordHash }).from(users)).map(
        ({ hash }) => hashParams(hash)?.iterations ?? Number(changed.PBKDF2_ITERATIONS),
      ),
    )
    for (let i = 0; i < 8; i++) {
      const ghost = uniqueName('ghost')
      const first = await loginWith(changed, ghost)
      expect(first.status).toBe(401)
      expect(first.iterations).toHaveLength(1)
      expect(stored).toContain(first.iterations[0])
      expect((await loginWith(changed, ghost)).iterations).toEqual(first.iterations)
    }
  })
})
