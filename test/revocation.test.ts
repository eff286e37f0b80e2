import { describe, expect, it } from 'vitest'
import { bearer, client, DEFAULT_PASSWORD, headersOf, login, newSession } from './helpers'
import { type Revocation, userWideRevocations } from './revocations'

const revocations: [string, Revocation][] = [
  ...userWideRevocations,
  ['the token is logged out', (_v, token) => client.api.auth.logout.$post({}, bearer(token))],
]

describe('a token stops working at once when', () => {
  it.each(revocations)('%s', async (_name, revoke) => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    expect((await client.api.auth.me.$get({}, bearer(token))).status).toBe(200)

    expect((await revoke(user, token, adminToken)).status).toBeLessThan(300)
    const res = await client.api.auth.me.$get({}, bearer(token))
    expect(res.status).toBe(401)
    expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_token' })
  })
})

describe('a disabled account', () => {
  it('cannot log in: the same 401 as a wrong password', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user } = await newSession('member')
    await client.api.users[':id'].$patch({ param: { id: user.id }, json: { disabled: true } }, bearer(adminToken))

    const disabled = await client.api.auth.login.$post({
      json: { username: user.username, password: DEFAULT_PASSWORD },
    })
    const wrong = await client.api.auth.login.$post({ json: { username: user.username, password: 'wrong password' } })
    expect(disabled.status).toBe(401)
    expect(await disabled.json()).toEqual(await wrong.json())
    expect(headersOf(disabled)).toEqual(headersOf(wrong))
  })

  it('gets no old token back when re-enabled', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    await client.api.users[':id'].$patch({ param: { id: user.id }, json: { disabled: true } }, bearer(adminToken))
    await client.api.users[':id'].$patch({ param: { id: user.id }, json: { disabled: false } }, bearer(adminToken))
    expect((await client.api.auth.me.$get({}, bearer(token))).status).toBe(401)
    expect((await client.api.auth.me.$get({}, bearer((await login(user.username)).token))).status).toBe(200)
  })
})

describe('a demoted admin', () => {
  it('loses admin rights on the next request, token unchanged', async () => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('admin')
    expect((await client.api.users.$get({ query: {} }, bearer(token))).status).toBe(200)
    await client.api.users[':id'].$patch({ param: { id: user.id }, json: { role: 'member' } }, bearer(adminToken))
    const res = await client.api.users.$get({ query: {} }, bearer(token))
    expect(res.status).toBe(403)
    expect(await res.json()).toEqual({ error: 'Insufficient permissions', code: 'insufficient_permissions' })
  })
})
