import { describe, expect, it } from 'vitest'
import { bearer, client, createUser, MANAGED_USER_KEYS, newSession, okBody, request } from './helpers'

/** A page of `GET /api/users`, typed by the route. */
const listUsers = async (token: string, query: { limit?: number; cursor?: string }) =>
  okBody(await client.api.users.$get({ query }, bearer(token)))

describe('GET /api/auth/me', () => {
  it("answers the caller's public profile and nothing else", async () => {
    const { user, token } = await newSession()
    const res = await client.api.auth.me.$get({}, bearer(token))

    expect(res.status).toBe(200)
    expect(res.headers.get('Cache-Control')).toBe('no-store')
    const body = await res.json()
    expect(body).toEqual({
      userId: user.id,
      username: user.username,
      email: user.email,
      role: 'member',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    })
  })
})

describe('GET /api/users', () => {
  it('answers 403 Insufficient permissions to a member', async () => {
    const { token } = await newSession('member')
    const res = await client.api.users.$get({ query: {} }, bearer(token))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'Insufficient permissions', code: 'insufficient_permissions' })
  })

  it('answers 401 without a token', async () => {
    expect((await client.api.users.$get({ query: {} })).status).toBe(401)
  })

  it('lists users to an admin, without any password material', async () => {
    // Other test files may have filled the first pages: start right after an account made just before.
    const earlier = await createUser()
    const { user, token } = await newSession('admin')
    const res = await client.api.users.$get({ query: { limit: '100', cursor: earlier.id } }, bearer(token))

    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toMatch(/password|pbkdf2|hash/i)
    const page = JSON.parse(text) as Awaited<ReturnType<typeof listUsers>>
    expect(page.users).toContainEqual(expect.objectContaining({ userId: user.id, username: user.username }))
    for (const listed of page.users) {
      expect(Object.keys(listed).sort()).toEqual(MANAGED_USER_KEYS)
    }
  })

  it('pages with limit and cursor, oldest first, each user once', async () => {
    const { token } = await newSession('admin')
    const created = [await createUser(), await createUser(), await createUser()]

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await listUsers(token, cursor ? { limit: 2, cursor } : { limit: 2 })
      expect(page.users.length).toBeLessThanOrEqual(2)
      seen.push(...page.users.map((u) => u.userId))
      cursor = page.nextCursor
    } while (cursor)

    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual([...seen].sort())
    expect(seen).toEqual(expect.arrayContaining(created.map((u) => u.id)))
  })

  it('defaults to 20 per page', async () => {
    const { token } = await newSession('admin')
    await Promise.all(Array.from({ length: 21 }, () => createUser()))
    const page = await listUsers(token, {})
    expect(page.users).toHaveLength(20)
    expect(page.nextCursor).not.toBeNull()
  })

  it('pages on from a cursor written in upper case, as from the same cursor in lower case', async () => {
    const { token } = await newSession('admin')
    await Promise.all([createUser(), createUser(), createUser()])
    const { nextCursor } = await listUsers(token, { limit: 1 })
    if (!nextCursor) throw new Error('expected a second page')

    const upper = await listUsers(token, { limit: 2, cursor: nextCursor.toUpperCase() })
    expect(upper).toEqual(await listUsers(token, { limit: 2, cursor: nextCursor }))
    expect(upper.users.map((u) => u.userId)).not.toContain(nextCursor)
  })

  it('takes a limit in decimal digits, leading zeros too', async () => {
    const { token } = await newSession('admin')
    await Promise.all([createUser(), createUser()])
    for (const limit of ['2', '02']) {
      const res = await request(`/api/users?limit=${limit}`, { token })
      expect((await res.json<{ users: unknown[] }>()).users, limit).toHaveLength(2)
    }
  })

  it.each([
    ['limit=0'],
    ['limit=101'],
    ['limit=ten'],
    ['limit=1.5'],
    // What `Number()` reads but is no decimal: hexadecimal, an exponent, a space, a sign.
    ['limit=0x10'],
    ['limit=1e1'],
    ['limit=%205'],
    ['limit=%2B5'],
    ['limit='],
    ['cursor=not-a-uuid'],
    [`cursor=${crypto.randomUUID()}`],
    ['sort=name'],
  ])('answers 400 to %s', async (query) => {
    const { token } = await newSession('admin')
    const res = await request(`/api/users?${query}`, { token })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'validation_error', details: expect.any(Array) })
  })
})

describe('GET /api/users/{id} with the id in upper case', () => {
  it('answers an admin with that user', async () => {
    const { user, token } = await newSession('admin')
    const res = await request(`/api/users/${user.id.toUpperCase()}`, { token })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ userId: user.id })
  })

  it('answers a member with themselves', async () => {
    const { user, token } = await newSession('member')
    const res = await request(`/api/users/${user.id.toUpperCase()}`, { token })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ userId: user.id })
  })
})
