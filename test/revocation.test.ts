import { describe, expect, it } from 'vitest'
import {
  api,
  bearer,
  DEFAULT_PASSWORD,
  headersOf,
  login,
  patchJson,
  postAuthorized,
  postJson,
  signedIn,
} from './helpers'
import { type Revocation, userWideRevocations } from './revocations'

const revocations: [string, Revocation][] = [
  ...userWideRevocations,
  ['the token is logged out', (_v, token) => postAuthorized('/api/auth/logout', {}, token)],
]

describe('a token stops working at once when', () => {
  it.each(revocations)('%s', async (_name, revoke) => {
    const { token: adminToken } = await signedIn('admin')
    const { user, token } = await signedIn('member')
    expect((await api('/api/auth/me', bearer(token))).status).toBe(200)

    expect((await revoke(user, token, adminToken)).status).toBeLessThan(300)
    const res = await api('/api/auth/me', bearer(token))
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
  })
})

describe('a disabled account', () => {
  it('cannot log in: the same 401 as a wrong password', async () => {
    const { token: adminToken } = await signedIn('admin')
    const { user } = await signedIn('member')
    await patchJson(`/api/users/${user.id}`, { disabled: true }, adminToken)

    const disabled = await postJson('/api/auth/login', { username: user.username, password: DEFAULT_PASSWORD })
    const wrong = await postJson('/api/auth/login', { username: user.username, password: 'wrong password' })
    expect(disabled.status).toBe(401)
    expect(await disabled.json()).toEqual(await wrong.json())
    expect(headersOf(disabled)).toEqual(headersOf(wrong))
  })

  it('gets no old token back when re-enabled', async () => {
    const { token: adminToken } = await signedIn('admin')
    const { user, token } = await signedIn('member')
    await patchJson(`/api/users/${user.id}`, { disabled: true }, adminToken)
    await patchJson(`/api/users/${user.id}`, { disabled: false }, adminToken)
    expect((await api('/api/auth/me', bearer(token))).status).toBe(401)
    expect((await api('/api/auth/me', bearer((await login(user.username)).token))).status).toBe(200)
  })
})

describe('a demoted admin', () => {
  it('loses admin rights on the next request, token unchanged', async () => {
    const { token: adminToken } = await signedIn('admin')
    const { user, token } = await signedIn('admin')
    expect((await api('/api/users', bearer(token))).status).toBe(200)
    await patchJson(`/api/users/${user.id}`, { role: 'member' }, adminToken)
    const res = await api('/api/users', bearer(token))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'Insufficient permissions', code: 'insufficient_permissions' })
  })
})
