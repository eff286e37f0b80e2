import { env } from 'cloudflare:workers'
import { decode } from 'hono/jwt'
import { describe, expect, it, vi } from 'vitest'
import type { TokenClaims } from '../../src/auth/tokens'
import { settingsOf } from '../../src/settings'
import {
  type Answer,
  bearer,
  client,
  consoleSpy,
  DEFAULT_PASSWORD,
  forgeToken,
  newSession,
  request,
  signCompact,
} from '../helpers'

const OLD_SECRET = 'the-secret-before-the-rotation-0123456789'
const now = () => Math.floor(Date.now() / 1000)
const me = (token: string) => client.api.auth.me.$get({}, bearer(token))

async function claims() {
  const { token } = await newSession()
  return decode(token).payload as TokenClaims
}

async function expectRefused(res: Answer) {
  expect(res.status).toBe(401)
  expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
}

describe('token rules', () => {
  it.each([
    ['another issuer', { iss: 'someone-else' }],
    ['another audience', { aud: 'another-api' }],
    ['no issuer', { iss: undefined }],
    ['no audience', { aud: undefined }],
    ['no iat', { iat: undefined }],
    ['an iat in the future', { iat: now() + 3600 }],
    ['no jti', { jti: undefined }],
    ['no token version', { ver: undefined }],
  ])('refuses a well-signed token with %s', async (_name, change) => {
    await expectRefused(await me(await forgeToken({ ...(await claims()), ...change })))
  })

  it('requires typ JWT in the header', async () => {
    const payload = await claims()
    const { kid } = (await settingsOf(env)).tokens.jwk
    for (const header of [
      { alg: 'HS256', kid },
      { alg: 'HS256', typ: 'at+jwt', kid },
    ]) {
      await expectRefused(await me(await signCompact(header, payload, env.JWT_SECRET)))
    }
  })

  it('refuses a token without kid, or with a kid no key has', async () => {
    const payload = await claims()
    await expectRefused(await me(await forgeToken(payload, { kid: 'not-a-known-kid' })))
    await expectRefused(await me(await forgeToken(payload, { kid: '' })))
  })

  it('refuses a token over 4 KB before any crypto', async () => {
    const token = await forgeToken({ ...(await claims()), padding: 'x'.repeat(4096) })
    const verify = vi.spyOn(crypto.subtle, 'verify')
    await expectRefused(await me(token))
    expect(verify).not.toHaveBeenCalled()
    verify.mockRestore()
  })
})

describe('token spelling', () => {
  const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const toBase64 = (segment: string) => segment.replace(/-/g, '+').replace(/_/g, '/')
  const padded = (segment: string) => segment.padEnd(Math.ceil(segment.length / 4) * 4, '=')

  /**
   * The segments of a token signed with the current key that `fit`, varying the length of a claim
   * and the `jti` until they do. The claim's '?'s (0x3F) put a `_` in the payload's base64url:
   * JSON is ASCII, whose base64 has `-` or `_` only where a byte of `>?~` ends a 3-byte group.
   */
  async function validTokenWhere(fits: (segments: string[]) => boolean) {
    const payload = await claims()
    for (let i = 0; i < 60; i++) {
      const segments = (
        await forgeToken({ ...payload, jti: crypto.randomUUID(), note: '?'.repeat(3 + (i % 3)) })
      ).split('.')
      if (fits(segments)) return segments
    }
    throw new Error('no token fits')
  }

  it.each([
    ['= appended to the signature', () => true, ([h, p, s]: string[]) => `${h}.${p}.${s}=`],
    [
      'the last signature character swapped for one that decodes to the same bytes',
      () => true,
      ([h, p, s]: string[]) => `${h}.${p}.${s.slice(0, -1)}${BASE64URL[BASE64URL.indexOf(s.slice(-1)) + 1]}`,
    ],
    ['a padded payload', ([, p]: string[]) => p.length % 4 !== 0, ([h, p, s]: string[]) => `${h}.${padded(p)}.${s}`],
    ['+ or / in the payload', ([, p]: string[]) => /[-_]/.test(p), ([h, p, s]: string[]) => `${h}.${toBase64(p)}.${s}`],
    [
      '+ or / in the signature',
      ([, , s]: string[]) => /[-_]/.test(s),
      ([h, p, s]: string[]) => `${h}.${p}.${toBase64(s)}`,
    ],
  ])('refuses a valid token spelt with %s, before any crypto', async (_name, fits, respell) => {
    const segments = await validTokenWhere(fits)
    expect((await me(segments.join('.'))).status).toBe(200)

    const verify = vi.spyOn(crypto.subtle, 'verify')
    const res = await me(respell(segments))
    const verifications = verify.mock.calls.length
    verify.mockRestore()
    await expectRefused(res)
    expect(verifications).toBe(0)
  })
})

describe('key rotation', () => {
  const loginWith = (overrides: Partial<Env>, username: string) =>
    request('/api/auth/login', { method: 'POST', env: overrides, json: { username, password: DEFAULT_PASSWORD } })

  it('accepts tokens of JWT_SECRET_PREVIOUS while it is set, and signs only with JWT_SECRET', async () => {
    const { user } = await newSession()
    // Before the rotation, the old secret was the current one.
    const before = await (await loginWith({ JWT_SECRET: OLD_SECRET }, user.username)).json<{ token: string }>()
    const rotated = { JWT_SECRET: env.JWT_SECRET, JWT_SECRET_PREVIOUS: OLD_SECRET }

    expect((await request('/api/auth/me', { env: rotated, token: before.token })).status).toBe(200)
    const after = await (await loginWith(rotated, user.username)).json<{ token: string }>()
    expect(decode(after.token).header.kid).not.toBe(decode(before.token).header.kid)
    expect((await me(after.token)).status).toBe(200)

    // Once JWT_SECRET_PREVIOUS is removed, the old tokens are refused.
    await expectRefused(await me(before.token))
  })

  it('refuses a JWT_SECRET_PREVIOUS shorter than 32 bytes', async () => {
    const log = consoleSpy()
    const { token } = await newSession()
    const res = await request('/api/auth/me', { env: { JWT_SECRET_PREVIOUS: 'short' }, token })
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ code: 'server_misconfigured' })
    expect(log).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET_PREVIOUS is missing or shorter than 32 bytes'))
  })
})
