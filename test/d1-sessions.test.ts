import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { proxyD1 } from './flaky-d1'
import { createUser, DEFAULT_PASSWORD, login, newSession, request } from './helpers'
import { addMemberAs, createOrg } from './orgs/org-helpers'

const BOOKMARK = 'X-D1-Bookmark'
const INVALID_BOOKMARK = {
  error: 'Invalid X-D1-Bookmark header',
  code: 'invalid_bookmark',
  hint: 'Send back the `X-D1-Bookmark` of an earlier answer unchanged, or leave the header out.',
}

/** The real D1, recording where each session the Worker opens asks to start. */
function recordingD1() {
  const starts: (string | undefined)[] = []
  const real = env.DB
  const binding = proxyD1(real, {
    get: (target, property) => Reflect.get(target, property).bind(target),
  })
  const recorded = new Proxy(binding, {
    get(target, property) {
      if (property !== 'withSession') return Reflect.get(target, property)
      return (start?: string) => {
        starts.push(start)
        return target.withSession(start)
      }
    },
  })
  return { binding: recorded, starts }
}

/** Where the one session of a request asked to start. */
async function startOf(path: string, options: Parameters<typeof request>[1] = {}) {
  const d1 = recordingD1()
  const res = await request(path, { ...options, env: { ...options.env, DB: d1.binding } })
  expect(res.status, `${options.method ?? 'GET'} ${path}: ${await res.clone().text()}`).toBeLessThan(300)
  expect(d1.starts).toHaveLength(1)
  return d1.starts[0]
}

describe('D1 sessions', () => {
  it('answers a bookmark; a read sending it back sees the write that answered it', async () => {
    const { token } = await newSession()
    const patched = await request('/api/auth/me', { method: 'PATCH', token, json: { email: 'moved@example.com' } })
    expect(patched.status).toBe(200)
    const bookmark = patched.headers.get(BOOKMARK)
    expect(bookmark).toMatch(/^[0-9A-Za-z-]{1,256}$/)
    const read = await request('/api/auth/me', { token, headers: { [BOOKMARK]: bookmark ?? '' } })
    expect(read.status).toBe(200)
    expect(await read.json()).toMatchObject({ email: 'moved@example.com' })
    expect(read.headers.get(BOOKMARK)).toMatch(/^[0-9A-Za-z-]{1,256}$/)
  })

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(257)],
    ['another charset', '0000-zz!'],
    ['spaces inside', '0000 0000'],
    ['a control character', '0000\t1'],
  ])('refuses a bookmark that is %s with 400 invalid_bookmark, before any query', async (_, bookmark) => {
    const d1 = recordingD1()
    const res = await request('/api/health', { headers: { [BOOKMARK]: bookmark }, env: { DB: d1.binding } })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual(INVALID_BOOKMARK)
    expect(d1.starts).toEqual([])
  })

  it('refuses 100 requests at once with junk bookmarks, each with 400 and none with 500', async () => {
    const junk = () => {
      const bytes = crypto.getRandomValues(new Uint8Array(1 + Math.floor(Math.random() * 400)))
      // Printable ASCII only, which any header can carry, and always one character a bookmark never has.
      return `${[...bytes].map((b) => String.fromCharCode(33 + (b % 94))).join('')}!`
    }
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => request('/api/health', { headers: { [BOOKMARK]: `${junk()} ` } })),
    )
    expect(answers.map((res) => res.status)).toEqual(Array(100).fill(400))
    for (const res of answers) expect(await res.json()).toEqual(INVALID_BOOKMARK)
  })

  it('starts a read anywhere, or at the bookmark it sends', async () => {
    const { token } = await newSession()
    expect(await startOf('/api/auth/me', { token })).toBe('first-unconstrained')
    expect(await startOf('/api/health')).toBe('first-unconstrained')
    const bookmark = (await request('/api/auth/me', { token })).headers.get(BOOKMARK) ?? ''
    expect(await startOf('/api/auth/me', { token, headers: { [BOOKMARK]: bookmark } })).toBe(bookmark)
  })

  it('runs login, refresh, password change, role and membership changes and user delete on the primary', async () => {
    const admin = await newSession('admin')
    const user = await createUser()
    expect(
      await startOf('/api/auth/login', {
        method: 'POST',
        json: { username: user.username, password: DEFAULT_PASSWORD },
      }),
    ).toBe('first-primary')
    const { refreshToken, token } = await login(user.username)
    expect(await startOf('/api/auth/refresh', { method: 'POST', json: { refreshToken } })).toBe('first-primary')
    expect(
      await startOf('/api/auth/password', {
        method: 'POST',
        token,
        json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'another horse battery staple' },
      }),
    ).toBe('first-primary')

    const org = await createOrg(admin.token)
    const member = await createUser()
    const added = await addMemberAs(admin.token, org.orgId, member.username, 'member')
    expect(added.status).toBe(201)
    const memberPath = `/api/orgs/${org.orgId}/members/${member.id}`
    expect(await startOf(memberPath, { method: 'PATCH', token: admin.token, json: { role: 'admin' } })).toBe(
      'first-primary',
    )
    expect(await startOf(memberPath, { method: 'DELETE', token: admin.token })).toBe('first-primary')
    const another = await createUser()
    expect(
      await startOf(`/api/orgs/${org.orgId}/members`, {
        method: 'POST',
        token: admin.token,
        json: { user: another.username, role: 'member' },
      }),
    ).toBe('first-primary')
    expect(await startOf(`/api/users/${user.id}`, { method: 'DELETE', token: admin.token })).toBe('first-primary')
  })

  it('starts a write on the primary even when it sends a bookmark: a replica at the bookmark may be behind', async () => {
    const { token } = await newSession()
    const bookmark = (await request('/api/auth/me', { token })).headers.get(BOOKMARK) ?? ''
    expect(bookmark).not.toBe('')
    expect(await startOf('/api/auth/logout', { method: 'POST', token, headers: { [BOOKMARK]: bookmark } })).toBe(
      'first-primary',
    )
  })
})
