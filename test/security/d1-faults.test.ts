import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { flakyD1 } from '../flaky-d1'
import { consoleSpy, createUser, DEFAULT_PASSWORD, newSession, request } from '../helpers'

/** `POST /api/auth/login` as `username` with some bindings replaced. */
const loginWith = (overrides: Partial<Env>, username: string) =>
  request('/api/auth/login', { method: 'POST', json: { username, password: DEFAULT_PASSWORD }, env: overrides })

async function expectUnavailable(res: Response) {
  expect(res.status).toBe(503)
  expect(res.headers.get('Retry-After')).toBe('5')
  expect(await res.json()).toEqual({ error: 'Service temporarily unavailable', code: 'service_unavailable' })
}

/** Captures console.error for the rest of the test. */
function errorLog() {
  const spy = consoleSpy()
  return { lines: () => spy.mock.calls.map((call) => call.join(' ')) }
}

describe('when D1 fails', () => {
  it('answers a login 503, not 401, and logs no SQL parameters', async () => {
    const log = errorLog()
    const user = await createUser()
    const { binding } = flakyD1(env.DB)
    await expectUnavailable(await loginWith({ DB: binding }, user.username))
    expect(log.lines().join('\n')).toContain('Network connection lost')
    expect(log.lines().join('\n')).not.toContain(user.username)
  })

  it("answers health 503, like every route, when a locked local D1 fails without D1's prefix", async () => {
    const log = errorLog()
    const message = 'Failed to get session commit token: database is locked'
    await expectUnavailable(await request('/api/health', { env: { DB: flakyD1(env.DB, { message }).binding } }))
    const user = await createUser()
    await expectUnavailable(await loginWith({ DB: flakyD1(env.DB, { message }).binding }, user.username))
    expect(log.lines().join('\n')).toContain('"event":"d1_error"')
  })

  it('answers a protected request 503, not 401', async () => {
    errorLog()
    const { token } = await newSession()
    await expectUnavailable(await request('/api/auth/me', { env: { DB: flakyD1(env.DB).binding }, token }))
  })

  it('retries a read that failed transiently, and answers as if nothing happened', async () => {
    const { user, token } = await newSession()
    const { binding, executions } = flakyD1(env.DB, { failures: 2 })
    const res = await request('/api/auth/me', { env: { DB: binding }, token })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ userId: user.id })
    expect(executions).toHaveLength(3)
  })

  it('gives up on a read after two retries', async () => {
    errorLog()
    const { token } = await newSession()
    const { binding, executions } = flakyD1(env.DB, { failures: 3 })
    await expectUnavailable(await request('/api/auth/me', { env: { DB: binding }, token }))
    expect(executions).toHaveLength(3)
  })

  it('does not retry an error that is not transient', async () => {
    errorLog()
    const { token } = await newSession()
    const { binding, executions } = flakyD1(env.DB, {
      failures: 1,
      message: 'D1_ERROR: too many SQL variables: SQLITE_ERROR',
    })
    await expectUnavailable(await request('/api/auth/me', { env: { DB: binding }, token }))
    expect(executions).toHaveLength(1)
  })

  it('never retries a write', async () => {
    errorLog()
    const { token } = await newSession()
    // The account lookup succeeds; the logout batch then fails once, transiently.
    const { binding, executions } = flakyD1(env.DB, { failures: 1, batchesOnly: true })
    await expectUnavailable(await request('/api/auth/logout', { method: 'POST', env: { DB: binding }, token }))
    expect(executions.filter((sql) => sql === 'batch')).toHaveLength(1)
    // Not logged out: the token still works.
    expect((await request('/api/auth/me', { env: {}, token })).status).toBe(200)
  })

  it('applies no part of a batch that fails', async () => {
    const user = await createUser()
    const renamed = `${user.email}.changed`
    await expect(
      env.DB.batch([
        env.DB.prepare('update users set email = ? where id = ?').bind(renamed, user.id),
        env.DB.prepare('insert into no_such_table values (1)'),
      ]),
    ).rejects.toThrow()
    const row = await env.DB.prepare('select email from users where id = ?').bind(user.id).first<{ email: string }>()
    expect(row?.email).toBe(user.email)
  })
})
