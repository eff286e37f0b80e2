import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import {
  createUser,
  eventsAbout,
  expectRefreshRefused,
  login,
  okBody,
  refreshOf,
  replayRefresh,
  request,
} from '../helpers'

const REFRESH = '/api/auth/refresh'

async function expectBadRequest(res: Response, code: string) {
  expect(res.status).toBe(400)
  expect(await res.json()).toMatchObject({ code })
}

describe('the refresh route', () => {
  it('answers any string that is not a refresh token as an unknown one: 401, never 5xx', async () => {
    const { token, refreshToken } = await login((await createUser()).username)
    const inputs = [
      '',
      'a',
      token,
      `${refreshToken}=`,
      // Its last character changed, whatever it was.
      `${refreshToken.slice(0, -1)}${refreshToken.endsWith('B') ? 'C' : 'B'}`,
      ` ${refreshToken.slice(1)}`,
      'é'.repeat(43),
      '\u0000'.repeat(43),
      // The largest a body under the 16 KB limit can carry.
      'x'.repeat(16 * 1024 - 40),
    ]
    for (const refreshToken of inputs)
      await expectRefreshRefused(await request(REFRESH, { method: 'POST', json: { refreshToken } }))
    // None of them disturbed the real one.
    expect((await refreshOf(refreshToken)).status).toBe(200)
  })

  it('refuses a body that is not one refresh token: 400, with the codes of any malformed request', async () => {
    const { refreshToken } = await login((await createUser()).username)
    await expectBadRequest(await request(REFRESH, { method: 'POST', json: {} }), 'validation_error')
    await expectBadRequest(await request(REFRESH, { method: 'POST', json: { refreshToken: 42 } }), 'validation_error')
    await expectBadRequest(
      await request(REFRESH, { method: 'POST', json: { refreshToken, userId: 'x' } }),
      'validation_error',
    )
    await expectBadRequest(await request(REFRESH, { method: 'POST', json: [refreshToken] }), 'validation_error')
    const raw = (body: string, type = 'application/json') =>
      request(REFRESH, { method: 'POST', body, headers: { 'Content-Type': type } })
    await expectBadRequest(await raw('{"refreshToken":'), 'invalid_json')
    await expectBadRequest(
      await raw(`refreshToken=${refreshToken}`, 'application/x-www-form-urlencoded'),
      'unsupported_media_type',
    )
  })

  it('refuses a refresh token in the query string before reading anything, and spends nothing', async () => {
    const { refreshToken } = await login((await createUser()).username)
    const inQuery = (query: string, body?: object) =>
      request(`${REFRESH}?${query}`, {
        method: 'POST',
        body: body && JSON.stringify(body),
        headers: { 'Content-Type': 'application/json' },
      })
    for (const res of [
      await inQuery(`refreshToken=${refreshToken}`),
      await inQuery(`refresh_token=${refreshToken}`, { refreshToken }),
      await inQuery('x=1', { refreshToken }),
    ]) {
      await expectBadRequest(res, 'query_not_allowed')
    }
    await okBody(await refreshOf(refreshToken))
  })

  it('keeps no refresh token in the audit trail, even of a replay', async () => {
    const user = await createUser()
    const { refreshToken } = await login(user.username)
    const next = await okBody(await refreshOf(refreshToken))
    // Within the reuse interval: the same successor again.
    expect((await okBody(await refreshOf(refreshToken))).refreshToken).toBe(next.refreshToken)
    await expectRefreshRefused(await replayRefresh(refreshToken))
    expect((await eventsAbout(user.id)).map((event) => event.type)).toContain('refresh_token_reused')
    const rows = JSON.stringify((await env.DB.prepare('select * from audit_events').all()).results)
    for (const secret of [refreshToken, next.refreshToken]) expect(rows).not.toContain(secret)
  })
})
