import { decode } from 'hono/jwt'
import { describe, expect, it } from 'vitest'
import type { TokenClaims } from '../src/auth/tokens'
import { client, createUser, DEFAULT_PASSWORD, headersOf, LOGIN_ANSWER_KEYS, request } from './helpers'

const LOGIN = '/api/auth/login'

describe('POST /api/auth/login', () => {
  it('answers 200 with a token, the user id, the username as written, expiresIn, a refresh token and a device token', async () => {
    const user = await createUser({ username: `Alice-${crypto.randomUUID().slice(0, 8)}` })
    const res = await client.api.auth.login.$post({ json: { username: user.username, password: DEFAULT_PASSWORD } })

    expect(res.status).toBe(200)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const body = await res.json()
    expect(Object.keys(body).sort()).toEqual(LOGIN_ANSWER_KEYS)
    expect(body).toMatchObject({ userId: user.id, username: user.username, expiresIn: 86400 })
  })

  it('signs an HS256 JWT with kid, iss, aud, sub, username, role, jti, ver, fam, iat and exp', async () => {
    const user = await createUser({ role: 'admin' })
    const res = await request(LOGIN, { method: 'POST', json: { username: user.username, password: DEFAULT_PASSWORD } })
    const { token } = await res.json<{ token: string }>()

    const { header } = decode(token)
    const payload = decode(token).payload as TokenClaims
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.stringMatching(/^[\w-]{16}$/) })
    expect(payload).toMatchObject({
      iss: 'orgstack',
      aud: 'orgstack-api',
      sub: user.id,
      username: user.username,
      role: 'admin',
      ver: 0,
    })
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload.fam).toMatch(/^[0-9a-f-]{36}$/)
    expect(payload.exp - payload.iat).toBe(86400)
    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(60)
  })

  it('takes the token lifetime from TOKEN_TTL_SECONDS', async () => {
    const user = await createUser()
    const res = await request(LOGIN, {
      method: 'POST',
      env: { TOKEN_TTL_SECONDS: '3600' },
      json: { username: user.username, password: DEFAULT_PASSWORD },
    })
    const body = await res.json<{ token: string; expiresIn: number }>()
    expect(body.expiresIn).toBe(3600)
    const payload = decode(body.token).payload as TokenClaims
    expect(payload.exp - payload.iat).toBe(3600)
  })

  it('accepts the email instead of the username, in any case', async () => {
    const user = await createUser()
    const res = await client.api.auth.login.$post({
      json: { username: user.email.toUpperCase(), password: DEFAULT_PASSWORD },
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ userId: user.id, username: user.username })
  })

  it('matches usernames after NFKC and case folding', async () => {
    const user = await createUser({ username: `Bob-${crypto.randomUUID().slice(0, 8)}` })
    const fullwidth = [...user.username.toUpperCase()]
      .map((ch) => (/[A-Z0-9]/.test(ch) ? String.fromCharCode(ch.charCodeAt(0) + 0xfee0) : ch))
      .join('')
    const res = await client.api.auth.login.$post({ json: { username: fullwidth, password: DEFAULT_PASSWORD } })
    expect(res.status).toBe(200)
  })

  it('compares the password exactly as sent: no trimming, no case folding', async () => {
    const user = await createUser({ password: 'Exact Pass 123' })
    for (const password of [' Exact Pass 123', 'Exact Pass 123 ', 'exact pass 123', 'EXACT PASS 123']) {
      const res = await client.api.auth.login.$post({ json: { username: user.username, password } })
      expect(res.status, password).toBe(401)
    }
    expect(
      (await client.api.auth.login.$post({ json: { username: user.username, password: 'Exact Pass 123' } })).status,
    ).toBe(200)
  })

  it('counts the length of a password in characters, as the document does, not in UTF-16 units', async () => {
    const user = await createUser()
    const wrong = await client.api.auth.login.$post({ json: { username: user.username, password: '🔑'.repeat(512) } })
    expect(wrong.status).toBe(401)
    const tooLong = await request(LOGIN, {
      method: 'POST',
      json: { username: user.username, password: '🔑'.repeat(513) },
    })
    expect(tooLong.status).toBe(400)
  })

  it('answers an unknown user and a wrong password identically', async () => {
    const user = await createUser()
    const wrong = await client.api.auth.login.$post({ json: { username: user.username, password: 'not the password' } })
    const unknown = await client.api.auth.login.$post({
      json: { username: `nobody-${crypto.randomUUID()}`, password: 'not the password' },
    })

    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const body = await wrong.json()
    expect(body).toEqual({ error: 'Invalid username or password', code: 'invalid_credentials' })
    expect(await unknown.json()).toEqual(body)
    expect(headersOf(unknown)).toEqual(headersOf(wrong))
    expect(wrong.headers.get('WWW-Authenticate')).toMatch(/^Bearer /)
  })
})

describe('POST /api/auth/login with a malformed request', () => {
  const json = (body: string, contentType = 'application/json') =>
    request(LOGIN, { method: 'POST', body, headers: { 'Content-Type': contentType } })
  const fields = (body: unknown) => json(JSON.stringify(body))

  const cases: [string, () => Promise<Response>, string][] = [
    ['an empty body', () => json(''), 'invalid_json'],
    ['text that is not JSON', () => json('username=alice'), 'invalid_json'],
    ['truncated JSON', () => json('{"username": "alice", "password": '), 'invalid_json'],
    ['JSON null', () => json('null'), 'validation_error'],
    ['a JSON array', () => json('[]'), 'validation_error'],
    ['a JSON string', () => json('"alice"'), 'validation_error'],
    ['a JSON number', () => json('42'), 'validation_error'],
    ['an empty object', () => fields({}), 'validation_error'],
    ['no password', () => fields({ username: 'alice' }), 'validation_error'],
    ['no username', () => fields({ password: 'secret-password' }), 'validation_error'],
    ['an empty username', () => fields({ username: '', password: 'secret-password' }), 'validation_error'],
    ['an empty password', () => fields({ username: 'alice', password: '' }), 'validation_error'],
    ['a numeric username', () => fields({ username: 123, password: 'secret-password' }), 'validation_error'],
    ['an array password', () => fields({ username: 'alice', password: ['secret'] }), 'validation_error'],
    ['null fields', () => fields({ username: null, password: null }), 'validation_error'],
    ['an unknown field', () => fields({ username: 'alice', password: 'x', admin: true }), 'validation_error'],
    ['a __proto__ key', () => json('{"username":"alice","password":"x","__proto__":{"a":1}}'), 'validation_error'],
    ['a 10 KB password', () => fields({ username: 'alice', password: 'x'.repeat(10_240) }), 'validation_error'],
    ['a 1 KB username', () => fields({ username: 'a'.repeat(1024), password: 'x' }), 'validation_error'],
    ['JSON nested 5,000 deep', () => json(`${'['.repeat(5000)}${']'.repeat(5000)}`), 'validation_error'],
    [
      'a text/plain content type',
      () => json('{"username":"alice","password":"x"}', 'text/plain'),
      'unsupported_media_type',
    ],
    [
      'a form content type',
      () => json('username=alice&password=x', 'application/x-www-form-urlencoded'),
      'unsupported_media_type',
    ],
    [
      'no content type',
      () => request(LOGIN, { method: 'POST', body: new TextEncoder().encode('{"username":"alice","password":"x"}') }),
      'unsupported_media_type',
    ],
  ]

  it.each(cases)('answers 400 to %s', async (_name, send, code) => {
    const res = await send()
    expect(res.status).toBe(400)
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/)
    const body = await res.json<{ error: string; code: string }>()
    expect(body.code).toBe(code)
    expect(body.error).toEqual(expect.any(String))
  })

  it('names the failing fields in details, never their values', async () => {
    const res = await fields({ username: 'alice', password: '', role: 'admin' })
    const body = await res.json<{ details: { path: string; message: string }[] }>()
    expect(body.details.map((d) => d.path).sort()).toEqual(['', 'password'])
    expect(JSON.stringify(body)).not.toContain('alice')
  })
})
