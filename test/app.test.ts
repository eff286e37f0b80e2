import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { users } from '../src/data/schema'
import { client, consoleSpy, createUser, DEFAULT_PASSWORD, newSession, request } from './helpers'

/** `POST /api/auth/login` as `username` with some bindings replaced. */
const loginWith = (overrides: Partial<Env>, username: string) =>
  request('/api/auth/login', { method: 'POST', json: { username, password: DEFAULT_PASSWORD }, env: overrides })

/** A D1 binding whose every query fails, as D1 does when it is unreachable. */
const failingDatabase = {
  withSession: () => ({
    prepare: () => {
      throw new Error('D1_ERROR: Network connection lost.')
    },
    getBookmark: () => null,
  }),
} as unknown as D1Database

describe('GET /api/health', () => {
  it('answers 200 after querying D1', async () => {
    const res = await client.api.health.$get()
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('answers 503 when D1 fails', async () => {
    const log = consoleSpy()
    const res = await request('/api/health', { env: { DB: failingDatabase } })
    expect(res.status).toBe(503)
    expect(res.headers.get('Retry-After')).toBe('5')
    expect(await res.json()).toEqual({ error: 'Service temporarily unavailable', code: 'service_unavailable' })
    expect(log).toHaveBeenCalled()
  })

  it('answers 503 schema_not_migrated, and logs the fix, until every migration is applied', async () => {
    const log = consoleSpy()
    const health = () => request('/api/health', { env: { DB: env.UNMIGRATED_DB } })
    const notMigrated = { error: 'Database schema is not migrated', code: 'schema_not_migrated' }

    const before = await health()
    expect(before.status).toBe(503)
    expect(await before.json()).toEqual(notMigrated)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('npm run db:migrate:local'))
    // A route that needs a table answers the same, not a 500.
    const login = await loginWith({ DB: env.UNMIGRATED_DB }, 'someone')
    expect(login.status).toBe(503)
    expect(await login.json()).toEqual(notMigrated)

    // Every table there, but the latest migration's columns missing.
    await applyD1Migrations(env.UNMIGRATED_DB, env.TEST_MIGRATIONS.slice(0, -1))
    expect((await health()).status).toBe(503)

    await applyD1Migrations(env.UNMIGRATED_DB, env.TEST_MIGRATIONS)
    expect((await health()).status).toBe(200)
  })
})

describe('routing', () => {
  it('answers 404 JSON to an unknown route, inside /api and outside', async () => {
    for (const path of ['/api/nope', '/api/auth/nope', '/favicon.ico', '/nope']) {
      const res = await request(path)
      expect(res.status, path).toBe(404)
      expect(await res.json()).toEqual({ error: 'Not found', code: 'not_found' })
    }
  })

  it('answers / with where the docs and the OpenAPI document are, for whoever opens the bare URL', async () => {
    const res = await request('/')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ name: 'OrgStack API', docs: '/docs', openapi: '/api/openapi.json' })
    expect((await request('/docs')).status).toBe(200)
  })

  it.each([
    ['POST', '/api/health', 'GET'],
    ['GET', '/api/auth/login', 'POST'],
    ['DELETE', '/api/auth/me', 'GET, PATCH'],
    ['PUT', '/api/users', 'GET, POST'],
    ['OPTIONS', '/api/auth/login', 'POST'],
  ])('answers 405 to %s %s with Allow: %s', async (method, path, allow) => {
    const res = await request(path, { method })
    expect(res.status).toBe(405)
    expect(res.headers.get('Allow')).toBe(allow)
    expect(await res.json()).toEqual({ error: 'Method not allowed', code: 'method_not_allowed' })
  })

  it('refuses HEAD on every path of the document, as no operation declares it, and on the docs page', async () => {
    const { token } = await newSession('admin')
    const doc = await (await request('/api/openapi.json')).json<{ paths: Record<string, object> }>()
    const paths = Object.entries(doc.paths).map(([path, item]) => ({
      path: path.replace(/\{[^}]+\}/g, crypto.randomUUID()),
      methods: Object.keys(item).map((method) => method.toUpperCase()),
    }))
    paths.push({ path: '/api/openapi.json', methods: ['GET'] }, { path: '/docs', methods: ['GET'] })
    expect(paths.filter(({ methods }) => methods.includes('GET')).length).toBeGreaterThan(10)
    for (const { path, methods } of paths) {
      const res = await request(path, { method: 'HEAD', token })
      expect(res.status, path).toBe(405)
      expect(res.headers.get('Allow')?.split(', ').sort(), path).toEqual(methods.sort())
      expect(await res.text()).toBe('')
    }
  })
})

describe('unexpected failures', () => {
  it('answers 500 Internal server error without a stack or the cause', async () => {
    const log = consoleSpy()
    const user = await createUser()
    await drizzle(env.DB).update(users).set({ passwordHash: 'not-a-hash' }).where(eq(users.id, user.id))
    const res = await client.api.auth.login.$post({ json: { username: user.username, password: DEFAULT_PASSWORD } })
    expect(res.status).toBe(500)
    expect(await res.json()).toEqual({ error: 'Internal server error', code: 'internal_error' })
    expect(log).toHaveBeenCalledOnce()
  })
})

describe('deployment settings', () => {
  const MISCONFIGURED = { error: 'Server is misconfigured', code: 'server_misconfigured' }

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['shorter than 32 bytes', 'x'.repeat(31)],
  ])('refuses to sign or accept tokens when JWT_SECRET is %s, and health says so', async (_name, secret) => {
    const log = consoleSpy()
    const overrides = { JWT_SECRET: secret } as Partial<Env>
    const { user, token } = await newSession()

    for (const res of [
      await request('/api/health', { env: overrides }),
      await loginWith(overrides, user.username),
      await request('/api/auth/me', { env: overrides, token }),
    ]) {
      expect(res.status).toBe(503)
      expect(await res.json()).toEqual(MISCONFIGURED)
    }
    expect(log).toHaveBeenCalledWith(expect.stringContaining('JWT_SECRET is missing or shorter than 32 bytes'))
    expect(JSON.parse(log.mock.calls[0][0])).toMatchObject({ event: 'server_misconfigured', setting: 'JWT_SECRET' })
    if (secret) expect(log.mock.calls.join('\n')).not.toContain(secret)
  })

  it.each([
    ['PASSWORD_PEPPER', { PASSWORD_PEPPER: 'x'.repeat(31) }],
    ['PASSWORD_PEPPER', { PASSWORD_PEPPER: undefined }],
    ['JWT_SECRET_PREVIOUS', { JWT_SECRET_PREVIOUS: 'short' }],
    ['PASSWORD_PEPPER_PREVIOUS', { PASSWORD_PEPPER_PREVIOUS: 'short' }],
  ])('answers health 503 server_misconfigured while %s is short or missing', async (setting, overrides) => {
    const log = consoleSpy()
    const res = await request('/api/health', { env: overrides as Partial<Env> })
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual(MISCONFIGURED)
    expect(log).toHaveBeenCalledWith(expect.stringContaining(`"setting":"${setting}"`))
  })

  it('checks every integer var in health, as the routes read them', async () => {
    const log = consoleSpy()
    // The tests bind wrangler.toml's vars: every one whose value is a whole number.
    const integerVars = Object.entries(env)
      .filter(([name, value]) => /^[A-Z]/.test(name) && typeof value === 'string' && /^\d+$/.test(value))
      .map(([name]) => name)
    expect(integerVars).toEqual(expect.arrayContaining(['PBKDF2_ITERATIONS', 'TOKEN_TTL_SECONDS', 'DEVICE_TOKEN_DAYS']))
    for (const name of integerVars) {
      const res = await request('/api/health', { env: { [name]: '-1' } })
      expect(res.status, name).toBe(503)
      expect(await res.json()).toEqual(MISCONFIGURED)
      expect(log).toHaveBeenLastCalledWith(expect.stringContaining(`"setting":"${name}"`))
    }
  })

  it('names the setting to fix in a hint in development only', async () => {
    consoleSpy()
    const broken = { JWT_SECRET: 'tiny-secret' }
    const production = await request('/api/health', { env: broken })
    expect(await production.json()).toEqual(MISCONFIGURED)
    const development = await request('/api/health', { env: { ...broken, ENVIRONMENT: 'development' } })
    expect(development.status).toBe(503)
    const body = await development.json<{ hint: string }>()
    expect(body).toEqual({ ...MISCONFIGURED, hint: expect.stringContaining('Set JWT_SECRET in .dev.vars') })
    expect(body.hint).not.toContain('tiny-secret')
  })

  it('refuses PBKDF2_ITERATIONS above the 100000 deployed Workers allow', async () => {
    const log = consoleSpy()
    const user = await createUser()
    const res = await loginWith({ PBKDF2_ITERATIONS: '100001' }, user.username)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual(MISCONFIGURED)
    expect(log).toHaveBeenCalledWith(
      expect.stringContaining('PBKDF2_ITERATIONS must be an integer from 1000 to 100000'),
    )
  })

  it('refuses a TOKEN_TTL_SECONDS that is not a whole number of seconds', async () => {
    const log = consoleSpy()
    const user = await createUser()
    const res = await loginWith({ TOKEN_TTL_SECONDS: '1h' }, user.username)
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual(MISCONFIGURED)
    expect(log).toHaveBeenCalledWith(expect.stringContaining('TOKEN_TTL_SECONDS'))
  })
})
