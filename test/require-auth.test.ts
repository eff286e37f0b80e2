import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { decode } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import type { TokenClaims } from '../src/auth/tokens'
import { users } from '../src/data/schema'
import { type Answer, bearer, client, forgeToken, newSession, request } from './helpers'

const ME = '/api/auth/me'
const now = () => Math.floor(Date.now() / 1000)
const b64url = (value: string) => btoa(value).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
const encodePart = (value: object) => b64url(JSON.stringify(value))

async function claimsFor(role: 'admin' | 'member' = 'member') {
  const { token } = await newSession(role)
  return { token, claims: decode(token).payload as TokenClaims }
}

const authorize = (authorization: string) => request(ME, { headers: { Authorization: authorization } })

async function expectInvalidToken(res: Answer, code = 'invalid_token') {
  expect(res.status).toBe(401)
  expect(await res.json()).toEqual({ error: 'Invalid or expired token', code })
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="orgstack", error="invalid_token"/)
}

const MISSING = {
  error: 'Missing authorization header',
  code: 'missing_authorization',
  hint: 'Send the token that login returned as `Authorization: Bearer <token>`.',
}

/** The answer to a request without Bearer credentials: a challenge without an error (RFC 6750 §3.1). */
async function expectMissing(res: Answer) {
  expect(res.status).toBe(401)
  expect(await res.json()).toEqual(MISSING)
  expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="orgstack"')
}

describe('a protected route: the Authorization header', () => {
  it('answers 200 to a valid bearer token', async () => {
    const { token } = await newSession()
    expect((await client.api.auth.me.$get({}, bearer(token))).status).toBe(200)
  })

  it('reads the Bearer scheme case-insensitively', async () => {
    const { token } = await newSession()
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      expect((await authorize(`${scheme} ${token}`)).status, scheme).toBe(200)
    }
  })

  it('answers 401 Missing authorization header without one, with a Bearer challenge and a hint', async () => {
    await expectMissing(await client.api.auth.me.$get())
  })

  it('treats an empty Authorization header as missing', async () => {
    const res = await authorize('')
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'missing_authorization' })
  })

  it('reads the token from the Authorization header only: not a cookie, not the query string', async () => {
    const { token } = await newSession()
    for (const res of [
      await request(`${ME}?token=${token}`),
      await request(ME, { headers: { Cookie: `token=${token}` } }),
    ]) {
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'missing_authorization' })
    }
  })

  it('answers a header without Bearer credentials as a missing one, not as a bad token', async () => {
    const { token } = await newSession()
    for (const authorization of [
      token, // the token alone
      `Basic ${btoa('admin:password')}`,
      `Bearer Bearer ${token}`,
      `Token ${token}`,
      'Bearer', // the scheme alone
      `Bearer ${token} extra`,
      `${token} Bearer`,
    ]) {
      await expectMissing(await authorize(authorization))
    }
  })

  it('calls a well-formed Bearer credential with a bad token an invalid token', async () => {
    for (const token of ['x', 'Bearer', 'a.b.c', 'x'.repeat(5000)]) {
      await expectInvalidToken(await authorize(`Bearer ${token}`))
    }
  })
})

describe('a protected route: the token', () => {
  it('refuses a token signed with another secret', async () => {
    const { claims } = await claimsFor()
    await expectInvalidToken(
      await authorize(`Bearer ${await forgeToken(claims, { secret: 'another-secret-that-is-32-bytes-long!!' })}`),
    )
  })

  it('refuses alg none', async () => {
    const { claims } = await claimsFor('admin')
    await expectInvalidToken(
      await authorize(`Bearer ${encodePart({ alg: 'none', typ: 'JWT' })}.${encodePart(claims)}.`),
    )
  })

  it('refuses HS512 even with the right secret', async () => {
    const { claims } = await claimsFor()
    await expectInvalidToken(await authorize(`Bearer ${await forgeToken(claims, { alg: 'HS512' })}`))
  })

  it('refuses a tampered payload', async () => {
    const { token, claims } = await claimsFor()
    const [header, , signature] = token.split('.')
    const forged = `${header}.${encodePart({ ...claims, role: 'admin' })}.${signature}`
    await expectInvalidToken(await authorize(`Bearer ${forged}`))
  })

  it('refuses an expired token with the guide message and a token_expired code', async () => {
    const { claims } = await claimsFor()
    const token = await forgeToken({ ...claims, iat: now() - 7200, exp: now() - 3600 })
    await expectInvalidToken(await authorize(`Bearer ${token}`), 'token_expired')
  })

  it('does not call a forged token merely expired', async () => {
    const { claims } = await claimsFor()
    const token = await forgeToken(
      { ...claims, exp: now() - 3600 },
      { secret: 'another-secret-that-is-32-bytes-long!!' },
    )
    await expectInvalidToken(await authorize(`Bearer ${token}`), 'invalid_token')
  })

  it('refuses a token without exp', async () => {
    const { claims } = await claimsFor()
    const { exp: _exp, ...withoutExp } = claims
    await expectInvalidToken(await authorize(`Bearer ${await forgeToken(withoutExp)}`))
  })

  it('refuses a token whose claims are not ours', async () => {
    const { claims } = await claimsFor()
    const notOurs: Record<string, unknown>[] = [
      { ...claims, role: 'owner' },
      { ...claims, sub: 42 },
      { ...claims, exp: '9999999999' },
    ]
    for (const bad of notOurs) {
      await expectInvalidToken(await authorize(`Bearer ${await forgeToken(bad)}`))
    }
  })

  it('refuses a token not yet valid (nbf in the future)', async () => {
    const { claims } = await claimsFor()
    await expectInvalidToken(await authorize(`Bearer ${await forgeToken({ ...claims, nbf: now() + 600 })}`))
  })

  it('refuses a two-segment token', async () => {
    const { token } = await newSession()
    await expectInvalidToken(await authorize(`Bearer ${token.split('.').slice(0, 2).join('.')}`))
  })

  it('refuses garbage that only looks like a token', async () => {
    for (const token of ['a.b.c', '...', 'not-a-token', '%%%.%%%.%%%', `${encodePart({ alg: 'HS256' })}.e30.!!`]) {
      await expectInvalidToken(await authorize(`Bearer ${token}`))
    }
  })

  it('refuses a 20 KB token without failing', async () => {
    const { claims } = await claimsFor()
    const token = await forgeToken({ ...claims, padding: 'x'.repeat(20_000) })
    expect(token.length).toBeGreaterThan(20_000)
    await expectInvalidToken(await authorize(`Bearer ${token}`))
  })

  it('refuses the token of a deleted account', async () => {
    const { user, token } = await newSession()
    await drizzle(env.DB).delete(users).where(eq(users.id, user.id))
    await expectInvalidToken(await client.api.auth.me.$get({}, bearer(token)))
  })
})
