import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { flakyD1 } from '../flaky-d1'
import {
  bearer,
  client,
  consoleDuring,
  createUser,
  DEFAULT_PASSWORD,
  forgeToken,
  login,
  refreshOf,
  replayRefresh,
  request,
} from '../helpers'

describe('logging', () => {
  it('never writes a token, refresh token, password, hash or Authorization header', async () => {
    const user = await createUser()
    const secrets: string[] = [DEFAULT_PASSWORD, 'wrong password guess', 'the new password 42']
    const lines = await consoleDuring(async () => {
      const { token, refreshToken } = await login(user.username)
      secrets.push(token, token.split('.')[2], refreshToken)
      await client.api.auth.me.$get({}, bearer(token))
      const next = await (await refreshOf(refreshToken)).json()
      if (!('refreshToken' in next)) throw new Error('the refresh failed')
      secrets.push(next.refreshToken)
      // A replay, refused and audited; a token in the query string; one never issued.
      await replayRefresh(refreshToken)
      await request(`/api/auth/refresh?refreshToken=${next.refreshToken}`, { method: 'POST' })
      await client.api.auth.refresh.$post({ json: { refreshToken: 'V6yoo5kZURekrgNOFmuAq1HYQtrau7HWjU39hfzFqOg' } })
      secrets.push('V6yoo5kZURekrgNOFmuAq1HYQtrau7HWjU39hfzFqOg')
      await client.api.users.$get({ query: {} }, bearer(token))
      await client.api.auth.login.$post({ json: { username: user.username, password: 'wrong password guess' } })
      await client.api.auth.login.$post({ json: { username: user.email, password: 'wrong password guess' } })
      const forged = await forgeToken({ sub: user.id, exp: 1 }, { secret: 'another-secret-that-is-32-bytes-long!!' })
      secrets.push(forged)
      await client.api.auth.me.$get({}, bearer(forged))
      await request('/api/auth/me', { headers: { Authorization: `Basic ${btoa('admin:hunter22')}` } })
      const changed = await request('/api/auth/password', {
        method: 'POST',
        token,
        json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'the new password 42' },
      })
      const { token: fresh, refreshToken: freshRefresh } = await changed.json<{ token: string; refreshToken: string }>()
      secrets.push(fresh, freshRefresh)
      await client.api.auth.logout.$post({}, bearer(fresh))
      await request('/api/auth/login', {
        method: 'POST',
        env: { DB: flakyD1(env.DB).binding },
        json: { username: user.username, password: 'the new password 42' },
      })
    })
    const hashes = await env.DB.prepare('select password_hash from users').all<{ password_hash: string }>()
    secrets.push(...hashes.results.map((row) => row.password_hash), btoa('admin:hunter22'))

    const output = lines.join('\n')
    expect(lines.length).toBeGreaterThan(10)
    for (const secret of secrets) expect(output).not.toContain(secret)
    expect(output).not.toMatch(/Bearer |pbkdf2/i)
  })

  it('writes one JSON line per request, and one per auth event', async () => {
    const user = await createUser()
    const lines = await consoleDuring(async () => {
      const { token } = await login(user.username)
      await client.api.auth.me.$get({}, bearer(token))
    })
    const entries = lines.map((line) => JSON.parse(line))
    const requests = entries.filter((entry) => entry.event === 'request')
    expect(requests).toEqual([
      expect.objectContaining({ method: 'POST', route: '/api/auth/login', status: 200, requestId: expect.any(String) }),
      expect.objectContaining({ method: 'GET', route: '/api/auth/me', status: 200, userId: user.id }),
    ])
    expect(entries.filter((entry) => entry.event === 'audit_event')).toEqual([
      expect.objectContaining({ type: 'login_succeeded', subjectUserId: user.id, requestId: requests[0].requestId }),
    ])
  })

  it("answers and logs its own request id, and logs a client's X-Request-Id apart only if a short plain token", async () => {
    const accepted = [`client-trace_=${'x'.repeat(241)}`, 'span.7:42']
    const refused = ['x'.repeat(256), 'has space', '{"level":"error"}', 'semi;colon', 'path/to', 'a,b', '']
    const sent = [...accepted, ...refused]
    const responses: Response[] = []
    const lines = await consoleDuring(async () => {
      for (const id of sent) responses.push(await request('/api/health', { headers: { 'X-Request-Id': id } }))
    })
    const requests = lines.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'request')
    expect(accepted[0]).toHaveLength(255)
    expect(requests).toHaveLength(sent.length)
    for (const [i, res] of responses.entries()) {
      const id = res.headers.get('X-Request-Id')
      expect(id).not.toBe(sent[i])
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(requests[i].requestId).toBe(id)
    }
    expect(requests.map((entry) => entry.clientRequestId)).toEqual([...accepted, ...refused.map(() => undefined)])
    const output = lines.join('\n')
    for (const id of refused.filter(Boolean)) expect(output).not.toContain(id)
  })
})
