import { describe, expect, it } from 'vitest'
import {
  bearer,
  client,
  createUser,
  DEFAULT_PASSWORD,
  eventsAbout,
  login,
  MANAGED_USER_KEYS,
  newSession,
  request,
  uniqueName,
} from './helpers'

const NO_SUCH_ID = '01900000-0000-7000-8000-000000000000'

describe('POST /api/users', () => {
  it('creates a user an admin describes, who can then log in', async () => {
    const { user: admin, token } = await newSession('admin')
    const username = uniqueName('New')
    const res = await request('/api/users', {
      method: 'POST',
      token,
      json: { username, email: `${username}@Example.com`, password: 'a fine password', role: 'member' },
    })

    expect(res.status).toBe(201)
    const created = await res.json<Record<string, unknown>>()
    expect(created).toMatchObject({ username, email: `${username.toLowerCase()}@example.com`, role: 'member' })
    expect(Object.keys(created).sort()).toEqual(MANAGED_USER_KEYS)
    expect((await client.api.auth.login.$post({ json: { username, password: 'a fine password' } })).status).toBe(200)

    const [event] = await eventsAbout(created.userId as string)
    expect(event).toMatchObject({ type: 'user_created', actorUserId: admin.id })
  })

  it('answers 409 to a username taken in another case, and to an email taken in another case', async () => {
    const { token } = await newSession('admin')
    const existing = await createUser()
    const taken = await client.api.users.$post(
      {
        json: {
          username: existing.username.toUpperCase(),
          email: `${uniqueName()}@example.com`,
          password: 'a fine password',
        },
      },
      bearer(token),
    )
    expect(taken.status).toBe(409)
    expect(await taken.json()).toEqual({ error: 'Username already taken', code: 'username_taken' })

    const registered = await client.api.users.$post(
      { json: { username: uniqueName(), email: existing.email.toUpperCase(), password: 'a fine password' } },
      bearer(token),
    )
    expect(registered.status).toBe(409)
    expect(await registered.json()).toEqual({ error: 'Email already registered', code: 'email_taken' })
  })

  it.each([
    ['a short password', { password: 'short' }],
    ['a username with a space', { username: 'has space' }],
    ['a two-letter username', { username: 'ab' }],
    ['an invalid email', { email: 'not-an-email' }],
    // Valid under RFC 5321, which `format: email` promises, but not under z.email(): the document shows its pattern.
    ['an email z.email() refuses', { email: 'a$b@example.com' }],
    ['a common password', { password: 'Password123!' }],
    ['an unknown role', { role: 'owner' }],
    ['an unknown field', { disabled: true }],
  ])('answers 400 to %s', async (_name, change) => {
    const { token } = await newSession('admin')
    const username = uniqueName()
    const body = { username, email: `${username}@example.com`, password: 'a fine password', ...change }
    const res = await request('/api/users', { method: 'POST', token, json: body })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'validation_error' })
  })

  it('answers 403 to a member', async () => {
    const { token } = await newSession('member')
    const username = uniqueName()
    const res = await client.api.users.$post(
      { json: { username, email: `${username}@example.com`, password: 'a fine password', role: 'admin' } },
      bearer(token),
    )
    expect(res.status).toBe(403)
  })
})

describe('GET /api/users/:id', () => {
  it('shows an admin any user, without password material', async () => {
    const { token } = await newSession('admin')
    const other = await createUser()
    const res = await client.api.users[':id'].$get({ param: { id: other.id } }, bearer(token))
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toMatch(/password|pbkdf2/i)
    expect(JSON.parse(text)).toMatchObject({ userId: other.id, disabled: false })
  })

  it('shows members themselves', async () => {
    const { user, token } = await newSession('member')
    expect(await (await client.api.users[':id'].$get({ param: { id: user.id } }, bearer(token))).json()).toMatchObject({
      userId: user.id,
    })
  })

  it("answers 403 to a member asking for another user's id, whether it exists or not", async () => {
    const { token } = await newSession('member')
    const other = await createUser()
    for (const id of [other.id, NO_SUCH_ID]) {
      const res = await client.api.users[':id'].$get({ param: { id } }, bearer(token))
      expect(res.status).toBe(403)
      const text = await res.text()
      expect(text).not.toContain(other.email)
      expect(JSON.parse(text)).toEqual({ error: 'Insufficient permissions', code: 'insufficient_permissions' })
    }
  })

  it('answers 404 User not found, and 400 to an id that is not a UUID', async () => {
    const { token } = await newSession('admin')
    const missing = await client.api.users[':id'].$get({ param: { id: NO_SUCH_ID } }, bearer(token))
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({ error: 'User not found', code: 'user_not_found' })
    expect((await request('/api/users/42', { token })).status).toBe(400)
    // A UUID, but not a version 7 one: no id the API makes.
    expect((await request(`/api/users/${crypto.randomUUID()}`, { token })).status).toBe(400)
  })
})

describe('PATCH /api/users/:id', () => {
  it("changes a user's email, and login follows it", async () => {
    const { token } = await newSession('admin')
    const user = await createUser()
    const email = `${uniqueName()}@example.org`
    const res = await client.api.users[':id'].$patch({ param: { id: user.id }, json: { email } }, bearer(token))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ email })
    expect((await client.api.auth.login.$post({ json: { username: email, password: DEFAULT_PASSWORD } })).status).toBe(
      200,
    )
    expect((await eventsAbout(user.id)).map((e) => e.type)).toContain('user_updated')
  })

  it('promotes a member, who is an admin from the next request on', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    expect((await client.api.users.$get({ query: {} }, bearer(token))).status).toBe(403)

    const res = await client.api.users[':id'].$patch(
      { param: { id: user.id }, json: { role: 'admin' } },
      bearer(adminToken),
    )
    expect(res.status).toBe(200)
    expect((await client.api.users.$get({ query: {} }, bearer(token))).status).toBe(200)
    expect((await eventsAbout(user.id)).map((e) => e.type)).toContain('role_changed')
  })

  it('answers 409 to an email taken by someone else', async () => {
    const { token } = await newSession('admin')
    const [user, other] = [await createUser(), await createUser()]
    const res = await client.api.users[':id'].$patch(
      { param: { id: user.id }, json: { email: other.email.toUpperCase() } },
      bearer(token),
    )
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ code: 'email_taken' })
  })

  it.each([
    ['an empty change', {}],
    ['an email z.email() refuses', { email: 'a$b@example.com' }],
    ['a password', { password: 'a new password' }],
    ['a username', { username: 'renamed' }],
    ['a non-boolean disabled', { disabled: 'yes' }],
  ])('answers 400 to %s', async (_name, body) => {
    const { token } = await newSession('admin')
    const user = await createUser()
    expect((await request(`/api/users/${user.id}`, { method: 'PATCH', token, json: body })).status).toBe(400)
  })

  it('answers 404 to an unknown id and 403 to a member', async () => {
    const { token } = await newSession('admin')
    expect(
      (await client.api.users[':id'].$patch({ param: { id: NO_SUCH_ID }, json: { role: 'member' } }, bearer(token)))
        .status,
    ).toBe(404)
    const { user, token: memberToken } = await newSession('member')
    expect(
      (await client.api.users[':id'].$patch({ param: { id: user.id }, json: { role: 'admin' } }, bearer(memberToken)))
        .status,
    ).toBe(403)
  })
})

describe('DELETE /api/users/:id', () => {
  it('deletes a user: 204, then 404, and their login and tokens fail', async () => {
    const { user: admin, token } = await newSession('admin')
    const { user, token: userToken } = await newSession('member')

    const res = await client.api.users[':id'].$delete({ param: { id: user.id } }, bearer(token))
    expect(res.status).toBe(204)
    expect((await client.api.users[':id'].$get({ param: { id: user.id } }, bearer(token))).status).toBe(404)
    expect((await client.api.auth.me.$get({}, bearer(userToken))).status).toBe(401)
    expect(
      (await client.api.auth.login.$post({ json: { username: user.username, password: DEFAULT_PASSWORD } })).status,
    ).toBe(401)
    expect(await eventsAbout(user.id)).toContainEqual(
      expect.objectContaining({ type: 'user_deleted', actorUserId: admin.id }),
    )
  })

  it('answers 404 to an unknown id and 403 to a member', async () => {
    const { token } = await newSession('admin')
    expect((await client.api.users[':id'].$delete({ param: { id: NO_SUCH_ID } }, bearer(token))).status).toBe(404)
    const other = await createUser()
    const { token: memberToken } = await newSession('member')
    expect((await client.api.users[':id'].$delete({ param: { id: other.id } }, bearer(memberToken))).status).toBe(403)
    expect((await login(other.username)).userId).toBe(other.id)
  })
})
