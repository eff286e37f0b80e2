import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { flakyD1 } from '../flaky-d1'
import {
  api,
  apiWithEnv,
  bearer,
  createUser,
  DEFAULT_PASSWORD,
  forgeToken,
  login,
  postAuthorized,
  postJson,
} from '../helpers'

/** Everything the Worker writes to the console during `run`. */
async function consoleDuring(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    }),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return lines
}

describe('logging', () => {
  it('never writes a token, password, hash or Authorization header', async () => {
    const user = await createUser()
    const secrets: string[] = [DEFAULT_PASSWORD, 'wrong password guess', 'the new password 42']
    const lines = await consoleDuring(async () => {
      const { token } = await login(user.username)
      secrets.push(token, token.split('.')[2])
      await api('/api/auth/me', bearer(token))
      await api('/api/users', bearer(token))
      await postJson('/api/auth/login', { username: user.username, password: 'wrong password guess' })
      await postJson('/api/auth/login', { username: user.email, password: 'wrong password guess' })
      const forged = await forgeToken({ sub: user.id, exp: 1 }, { secret: 'another-secret-that-is-32-bytes-long!!' })
      secrets.push(forged)
      await api('/api/auth/me', bearer(forged))
      await api('/api/auth/me', { headers: { Authorization: `Basic ${btoa('admin:hunter22')}` } })
      const changed = await postAuthorized(
        '/api/auth/password',
        { currentPassword: DEFAULT_PASSWORD, newPassword: 'the new password 42' },
        token,
      )
      const fresh = (await changed.json<{ token: string }>()).token
      secrets.push(fresh)
      await postAuthorized('/api/auth/logout', {}, fresh)
      await apiWithEnv({ DB: flakyD1(env.DB).binding }, '/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: 'the new password 42' }),
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
      await api('/api/auth/me', bearer(token))
    })
    const entries = lines.map((line) => JSON.parse(line))
    const requests = entries.filter((entry) => entry.event === 'request')
    expect(requests).toEqual([
      expect.objectContaining({ method: 'POST', route: '/api/auth/login', status: 200, requestId: expect.any(String) }),
      expect.objectContaining({ method: 'GET', route: '/api/auth/me', status: 200, userId: user.id }),
    ])
    expect(entries.filter((entry) => entry.event === 'auth_event')).toEqual([
      expect.objectContaining({ type: 'login_succeeded', subjectUserId: user.id, requestId: requests[0].requestId }),
    ])
  })
})
