import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { flakyD1 } from '../flaky-d1'
import { bearer, client, consoleSpy, createUser, DEFAULT_PASSWORD, newSession, request } from '../helpers'

const login = (body: BodyInit, headers: Record<string, string> = {}) =>
  request('/api/auth/login', { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } })

describe('request bodies', () => {
  it('answers 413 JSON to a body over 16 KB, before parsing it', async () => {
    const res = await login(`{"username":"alice","password":"${'x'.repeat(17 * 1024)}"}`)
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({ error: 'Request body is larger than 16384 bytes', code: 'payload_too_large' })
  })

  it('answers 413 to an oversized body sent without a length (chunked)', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(8 * 1024))
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 3; i++) controller.enqueue(chunk)
        controller.close()
      },
    })
    const res = await request('/api/auth/login', {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
    })
    expect(res.status).toBe(413)
  })

  it('answers 400 to JSON nested absurdly deep', async () => {
    const res = await login(`${'{"a":'.repeat(2500)}1${'}'.repeat(2500)}`)
    expect(res.status).toBe(400)
  })

  it('takes a body as application/json only, in any case and with a charset, as the document declares', async () => {
    const user = await createUser()
    const body = JSON.stringify({ username: user.username, password: DEFAULT_PASSWORD })
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']) {
      expect((await login(body, { 'Content-Type': type })).status, type).toBe(200)
    }
    // @hono/zod-openapi reads every application/*+json as JSON; the document declares none of them.
    for (const type of ['application/merge-patch+json', 'application/vnd.api+json', 'application/jsonx']) {
      const res = await login(body, { 'Content-Type': type })
      expect(res.status, type).toBe(400)
      expect(await res.json()).toEqual({
        error: 'Content-Type must be application/json',
        code: 'unsupported_media_type',
      })
    }
  })

  it('refuses a merge patch of the account, changing nothing', async () => {
    const { user, token } = await newSession()
    const res = await request('/api/auth/me', {
      method: 'PATCH',
      token,
      body: JSON.stringify({ email: `${user.username}-new@example.com` }),
      headers: { 'Content-Type': 'application/merge-patch+json' },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'unsupported_media_type' })
    expect(await (await client.api.auth.me.$get({}, bearer(token))).json()).toMatchObject({ email: user.email })
  })

  it('takes the last of duplicate keys, as JSON.parse does', async () => {
    const user = await createUser()
    const body = `{"username":"${user.username}","password":"wrong password","password":"${DEFAULT_PASSWORD}"}`
    expect((await login(body)).status).toBe(200)
  })
})

describe('response headers', () => {
  it('sets the security headers on every answer, errors included', async () => {
    for (const res of [await client.api.health.$get(), await request('/api/nope'), await client.api.auth.me.$get()]) {
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
      expect(res.headers.get('Referrer-Policy')).toBe('no-referrer')
      expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains')
      expect(res.headers.get('Content-Security-Policy')).toBe("default-src 'none'; frame-ancestors 'none'")
      // Hono's default, SAMEORIGIN, would let the API's own origin frame it, which the CSP refuses.
      expect(res.headers.get('X-Frame-Options')).toBe('DENY')
      expect(res.headers.get('X-Powered-By')).toBeNull()
      expect(res.headers.get('Cache-Control')).toBe('no-store')
      expect(res.headers.get('X-Request-Id')).toMatch(/^[\w-]+$/)
    }
  })

  it.each([
    [400, 'malformed JSON', () => login('{')],
    [401, 'no token', () => client.api.auth.me.$get()],
    [403, 'plain HTTP in production', () => request('/api/auth/login', { method: 'POST', env: {}, scheme: 'http' })],
    [404, 'an unknown route', () => request('/api/nope')],
    [405, 'a method the route lacks', () => request('/api/auth/login')],
    [413, 'a body over 16 KB', () => login('x'.repeat(17 * 1024))],
    [500, 'a bug', () => request('/api/health', { env: { DB: flakyD1(env.DB, { message: 'a bug' }).binding } })],
    [
      503,
      'a JWT_SECRET too short',
      async () => request('/api/auth/me', { env: { JWT_SECRET: 'short' }, token: (await newSession()).token }),
    ],
    [503, 'D1 failing', () => request('/api/health', { env: { DB: flakyD1(env.DB).binding } })],
  ])('answers %i (%s) with Cache-Control: no-store', async (status, _name, send) => {
    consoleSpy()
    const res = await send()
    expect(res.status).toBe(status)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
  })

  it('sends no HSTS over plain HTTP', async () => {
    const res = await request('/api/health', { env: { ENVIRONMENT: 'development' }, scheme: 'http' })
    expect(res.status).toBe(200)
    expect(res.headers.get('Strict-Transport-Security')).toBeNull()
  })
})

describe('HTTPS', () => {
  it('refuses plain HTTP in production, naming HTTPS and how to run locally', async () => {
    const res = await request('/api/auth/login', { method: 'POST', env: {}, scheme: 'http' })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({
      error: 'HTTPS is required',
      code: 'https_required',
      hint: expect.stringContaining('npm run dev'),
    })
  })
})

describe('CORS', () => {
  const preflight = (origin: string) => ({
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    },
  })

  it('is off unless CORS_ORIGINS is set', async () => {
    const res = await request('/api/health', { headers: { Origin: 'https://app.example' } })
    expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('allows exactly the listed origins, without credentials', async () => {
    const overrides = { CORS_ORIGINS: 'https://app.example, https://admin.example' }
    const allowed = await request('/api/auth/login', { ...preflight('https://admin.example'), env: overrides })
    expect(allowed.status).toBe(204)
    expect(allowed.headers.get('Access-Control-Allow-Origin')).toBe('https://admin.example')
    expect(allowed.headers.get('Access-Control-Allow-Credentials')).toBeNull()

    const { token } = await newSession()
    const simple = await request('/api/auth/me', { env: overrides, token, headers: { Origin: 'https://app.example' } })
    expect(simple.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example')

    for (const origin of ['https://evil.example', 'https://app.example.evil', 'null']) {
      const refused = await request('/api/auth/login', { ...preflight(origin), env: overrides })
      expect(refused.headers.get('Access-Control-Allow-Origin'), origin).toBeNull()
    }
  })
})
