import { describe, expect, it } from 'vitest'
import { bearer, client, createUser, DEFAULT_PASSWORD, eventsAbout, newSession, okBody, request } from './helpers'

/** A page of `GET /api/audit-events`, typed by the route. */
const listEvents = async (
  token: string,
  query: { userId?: string; type?: 'login_failed'; limit?: number; cursor?: string },
) => okBody(await client.api['audit-events'].$get({ query }, bearer(token)))

/** Logs in through the Worker and waits for what it defers (`waitUntil`) to finish. */
const loginFrom = (ip: string, username: string, password: string) =>
  request('/api/auth/login', {
    method: 'POST',
    env: {},
    json: { username, password },
    headers: { 'CF-Connecting-IP': ip, 'User-Agent': 'audit-test/1.0' },
  })

describe('the audit trail', () => {
  it('records a login, a failed login and a password change, with IP and user agent', async () => {
    const user = await createUser()
    expect((await loginFrom('203.0.113.7', user.username, 'wrong password')).status).toBe(401)
    const res = await loginFrom('203.0.113.8', user.username, DEFAULT_PASSWORD)
    const { token } = await res.json<{ token: string }>()
    await client.api.auth.password.$post(
      { json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'another password' } },
      bearer(token),
    )

    const events = await eventsAbout(user.id)
    expect(events.map((e) => e.type)).toEqual(['login_failed', 'login_succeeded', 'password_changed'])
    expect(events[0]).toMatchObject({ ip: '203.0.113.7', userAgent: 'audit-test/1.0', actorUserId: null })
    expect(events[1]).toMatchObject({ ip: '203.0.113.8', actorUserId: user.id })
  })

  it("records an unknown user's failed login without a subject", async () => {
    const { token } = await newSession('admin')
    await loginFrom('198.51.100.99', `ghost-${crypto.randomUUID()}`, 'whatever password')
    const page = await listEvents(token, { type: 'login_failed' })
    expect(page.events).toContainEqual(expect.objectContaining({ ip: '198.51.100.99', userId: null }))
  })

  it('never holds a password, hash or token', async () => {
    const { token } = await newSession('admin')
    await client.api.auth.password.$post(
      { json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'secret-new-pass' } },
      bearer(token),
    )
    const text = await (await client.api['audit-events'].$get({ query: { limit: '100' } }, bearer(token))).text()
    expect(text).not.toMatch(/secret-new-pass|correct horse|pbkdf2|eyJ/)
  })
})

describe('GET /api/audit-events', () => {
  it('filters by user and type, newest first, in pages', async () => {
    const { token } = await newSession('admin')
    const user = await createUser()
    for (let i = 0; i < 3; i++) await loginFrom('192.0.2.1', user.username, 'wrong password')

    const seen: Awaited<ReturnType<typeof listEvents>>['events'] = []
    let cursor: string | null = null
    do {
      const query = { userId: user.id, type: 'login_failed' as const, limit: 2, ...(cursor ? { cursor } : {}) }
      const page = await listEvents(token, query)
      seen.push(...page.events)
      cursor = page.nextCursor
    } while (cursor)

    expect(seen).toHaveLength(3)
    expect(seen.every((e) => e.userId === user.id && e.type === 'login_failed')).toBe(true)
    expect(seen.map((e) => e.id)).toEqual(
      seen
        .map((e) => e.id)
        .sort()
        .reverse(),
    )
  })

  it('finds the events of a userId written in upper case', async () => {
    const { token } = await newSession('admin')
    const user = await createUser()
    await loginFrom('192.0.2.2', user.username, 'wrong password')
    const page = await listEvents(token, { userId: user.id.toUpperCase(), type: 'login_failed' })
    expect(page.events).toEqual([expect.objectContaining({ userId: user.id, type: 'login_failed' })])
  })

  it('is for admins only', async () => {
    const { token } = await newSession('member')
    expect((await client.api['audit-events'].$get({ query: {} }, bearer(token))).status).toBe(403)
  })

  it.each(['type=party', 'userId=42', `userId=${crypto.randomUUID()}`, 'limit=0', 'since=yesterday'])(
    'answers 400 to %s',
    async (query) => {
      const { token } = await newSession('admin')
      expect((await request(`/api/audit-events?${query}`, { token })).status).toBe(400)
    },
  )
})
