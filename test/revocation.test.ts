import { describe, expect, it } from 'vitest'
import { DEFAULT_PASSWORD, headersOf, login, newSession, request } from './helpers'
import { type Revocation, userWideRevocations } from './revocations'

const revocations: [string, Revocation][] = [
  ...userWideRevocations,
  ['the token is logged out', (_v, token) => request('/api/auth/logout', { method: 'POST', token, json: {} })],
]

describe('a token stops working at once when', () => {
  it.each(revocations)('%s', async (_name, revoke) => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    expect((await request('/api/auth/me', { token })).status).toBe(200)

    expect((await revoke(user, token, adminToken)).status).toBeLessThan(300)
    const res = await request('/api/auth/me', { token })
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
  })
})

describe('a disabled account', () => {
  it('cannot log in: the same 401 as a wrong password', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user } = await newSession('member')
    await request(`/api/users/${user.id}`, { method: 'PATCH', token: adminToken, json: { disabled: true } })

    const disabled = await request('/api/auth/login', {
      method: 'POST',
      json: { username: user.username, password: DEFAULT_PASSWORD },
    })
    const wrong = await request('/api/auth/login', {
      method: 'POST',
      json: { username: user.username, password: 'wrong password' },
    })
    expect(disabled.status).toBe(401)
    expect(await disabled.json()).toEqual(await wrong.json())
    expect(headersOf(disabled)).toEqual(headersOf(wrong))
  })

  it('gets no old token back when re-enabled', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    await request(`/api/users/${user.id}`, { method: 'PATCH', token: adminToken, json: { disabled: true } })
    await request(`/api/users/${user.id}`, { method: 'PATCH', token: adminToken, json: { disabled: false } })
    expect((await request('/api/auth/me', { token })).status).toBe(401)
    expect((await request('/api/auth/me', { token: (await login(user.username)).token })).status).toBe(200)
  })
})

describe('a demoted admin', () => {
  it('loses admin rights on the next request, token unchanged', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('admin')
    expect((await request('/api/users', { token })).status).toBe(200)
    await request(`/api/users/${user.id}`, { method: 'PATCH', token: adminToken, json: { role: 'member' } })
    const res = await request('/api/users', { token })
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'Insufficient permissions', code: 'insufficient_permissions' })
  })
})
