import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  bearer,
  client,
  createUser,
  DEFAULT_PASSWORD,
  eventsAbout,
  login,
  newSession,
  okBody,
  request,
  uniqueName,
} from './helpers'
import { heldD1 } from './orgs/org-helpers'

const me = (token: string) => client.api.auth.me.$get({}, bearer(token))

describe('PATCH /api/auth/me', () => {
  it("changes the caller's email", async () => {
    const { user, token } = await newSession()
    const email = `${uniqueName()}@Example.net`
    const res = await client.api.auth.me.$patch({ json: { email } }, bearer(token))
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ userId: user.id, email: email.toLowerCase() })
    expect((await login(email)).userId).toBe(user.id)
  })

  it('answers 409 to an email already registered', async () => {
    const { token } = await newSession()
    const other = await createUser()
    const res = await client.api.auth.me.$patch({ json: { email: other.email } }, bearer(token))
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ error: 'Email already registered', code: 'email_taken' })
  })

  it.each([
    ['a role', { role: 'admin' }],
    ['a username', { username: 'renamed' }],
    ['an invalid email', { email: 'nope' }],
    ['an email z.email() refuses', { email: 'a$b@example.com' }],
    ['nothing', {}],
  ])('answers 400 to %s', async (_name, body) => {
    const { token } = await newSession()
    expect((await request('/api/auth/me', { method: 'PATCH', token, json: body })).status).toBe(400)
  })
})

describe('POST /api/auth/password', () => {
  it('changes the password, answers a fresh token, and refuses every earlier token', async () => {
    const { user, token } = await newSession()
    const { token: otherSession } = await login(user.username)
    const fresh = await okBody(
      await client.api.auth.password.$post(
        { json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'a brand new password' } },
        bearer(token),
      ),
    )
    expect(fresh).toMatchObject({ userId: user.id, username: user.username, expiresIn: 86400 })
    expect((await me(fresh.token)).status).toBe(200)
    for (const old of [token, otherSession]) expect((await me(old)).status).toBe(401)
    expect(
      (await client.api.auth.login.$post({ json: { username: user.username, password: DEFAULT_PASSWORD } })).status,
    ).toBe(401)
    expect((await login(user.username, 'a brand new password')).userId).toBe(user.id)
    expect((await eventsAbout(user.id)).map((e) => e.type)).toContain('password_changed')
  })

  it('answers a wrong current password with 422 of its own, not a 401 that reads as signed out', async () => {
    const { token } = await newSession()
    const res = await client.api.auth.password.$post(
      { json: { currentPassword: 'not my password', newPassword: 'a brand new password' } },
      bearer(token),
    )
    expect(res.status).toBe(422)
    expect(await res.json()).toEqual({ error: 'Current password is incorrect', code: 'current_password_incorrect' })
    expect((await me(token)).status).toBe(200)
  })

  it.each([
    ['too short', 'short'],
    ['too common', 'Password123!'],
  ])('holds the new password to the policy: refuses one %s', async (_name, newPassword) => {
    const { token } = await newSession()
    const res = await request('/api/auth/password', {
      method: 'POST',
      token,
      json: { currentPassword: DEFAULT_PASSWORD, newPassword },
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ details: [{ path: 'newPassword' }] })
  })
})

describe('POST /api/auth/logout', () => {
  it('refuses the presented token from then on, and only that one', async () => {
    const { user, token } = await newSession()
    const { token: otherSession } = await login(user.username)
    const res = await client.api.auth.logout.$post({}, bearer(token))
    expect(res.status).toBe(204)
    expect((await me(token)).status).toBe(401)
    expect((await me(otherSession)).status).toBe(200)
    expect((await eventsAbout(user.id)).map((e) => e.type)).toContain('logout')
  })
})

describe('POST /api/auth/logout-all', () => {
  it('refuses every token of the caller, and a new login works', async () => {
    const { user, token } = await newSession()
    const { token: otherSession } = await login(user.username)
    expect((await client.api.auth['logout-all'].$post({}, bearer(token))).status).toBe(204)
    for (const old of [token, otherSession]) expect((await me(old)).status).toBe(401)
    expect((await me((await login(user.username)).token)).status).toBe(200)
  })
})

describe('an account deleted after the guard read it', () => {
  it.each([
    ['PATCH', '/api/auth/me', { email: `${uniqueName('gone')}@example.com` }],
    ['POST', '/api/auth/password', { currentPassword: DEFAULT_PASSWORD, newPassword: 'a brand new passphrase' }],
  ])(
    'is told by %s %s that its token no longer holds (401), not a 500, and nothing is written',
    async (method, path, body) => {
      const { user, token } = await newSession()
      const held = heldD1(env.DB)
      const sent = request(path, { method, env: { DB: held.binding }, token, json: body })
      await held.writing
      await env.DB.prepare('delete from users where id = ?').bind(user.id).run()
      held.release()

      const res = await sent
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ code: 'invalid_token' })
      expect((await eventsAbout(user.id)).map((event) => event.type)).toEqual(['login_succeeded'])
    },
  )
})
