import { describe, expect, it } from 'vitest'
import { bearer, client, expectRefreshRefused, login, newSession, okBody, refreshOf } from './helpers'
import { type Revocation, userWideRevocations } from './revocations'

const everyLogin: [string, Revocation][] = [
  ...userWideRevocations,
  [
    'the account is disabled and enabled again',
    async (v, _t, admin) => {
      await client.api.users[':id'].$patch({ param: { id: v.id }, json: { disabled: true } }, bearer(admin))
      return client.api.users[':id'].$patch({ param: { id: v.id }, json: { disabled: false } }, bearer(admin))
    },
  ],
]

describe('every refresh token of a user stops working at once when', () => {
  it.each(everyLogin)('%s', async (_name, revoke) => {
    const { token: adminToken } = await newSession('admin')
    const { user, token } = await newSession('member')
    const other = await login(user.username)
    // A refresh token already rotated once, and one never used.
    const rotated = await okBody(await refreshOf((await login(user.username)).refreshToken))

    expect((await revoke(user, token, adminToken)).status).toBeLessThan(300)
    await expectRefreshRefused(await refreshOf(other.refreshToken))
    await expectRefreshRefused(await refreshOf(rotated.refreshToken))
    expect((await client.api.auth.me.$get({}, bearer(rotated.token))).status).toBe(401)
  })
})

describe('logout', () => {
  it("revokes the login of the token presented: its refresh tokens and access tokens, not the user's other logins", async () => {
    const { user, token } = await newSession('member')
    const first = await login(user.username)
    const next = await okBody(await refreshOf(first.refreshToken))
    const kept = await login(user.username)
    const stranger = await newSession('member')
    const strangers = await login(stranger.user.username)

    expect((await client.api.auth.logout.$post({}, bearer(first.token))).status).toBe(204)
    await expectRefreshRefused(await refreshOf(next.refreshToken))
    expect((await client.api.auth.me.$get({}, bearer(next.token))).status).toBe(401)

    expect((await client.api.auth.me.$get({}, bearer(token))).status).toBe(200)
    expect((await client.api.auth.me.$get({}, bearer(kept.token))).status).toBe(200)
    expect((await refreshOf(kept.refreshToken)).status).toBe(200)
    expect((await refreshOf(strangers.refreshToken)).status).toBe(200)
  })
})
