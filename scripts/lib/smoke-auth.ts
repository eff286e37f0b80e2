import { type Check, CheckFailed, expectJson, request } from './smoke-http'

export type Credentials = { username: string; password: string }

/**
 * Login, /me, refresh and logout, in order, sharing one session; each later step is skipped when
 * the one it needs failed. Logout runs whenever a login succeeded, so no live session is left behind.
 */
export function authChecks(base: URL, credentials: Credentials): Check[] {
  const at = (path: string) => new URL(path, base)
  const session: { userId?: string; token?: string; refreshToken?: string } = {}
  const json = (body: unknown, token?: string): RequestInit => ({
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  })
  const needs = (what: string | undefined, step: string) => (what === undefined ? { skipped: `no ${step}` } : undefined)

  return [
    {
      name: 'login',
      run: async () => {
        const body = await expectJson(await request(at('/api/auth/login'), json(credentials)), 200, 'with a token')
        const { token, refreshToken, userId } = body
        if (typeof token !== 'string' || typeof refreshToken !== 'string' || typeof userId !== 'string') {
          throw new CheckFailed('token, refreshToken and userId', `fields ${Object.keys(body).join(', ')}`)
        }
        Object.assign(session, { token, refreshToken, userId })
        return undefined
      },
    },
    {
      name: '/me with the token',
      run: async () => {
        if (session.token === undefined) return needs(session.token, 'login')
        const res = await request(at('/api/auth/me'), { headers: { Authorization: `Bearer ${session.token}` } })
        const body = await expectJson(res, 200, 'with the login userId')
        if (body.userId !== session.userId)
          throw new CheckFailed(`userId ${session.userId}`, `userId ${String(body.userId)}`)
        return undefined
      },
    },
    {
      name: 'refresh',
      run: async () => {
        if (session.refreshToken === undefined) return needs(session.refreshToken, 'login')
        const res = await request(at('/api/auth/refresh'), json({ refreshToken: session.refreshToken }))
        const body = await expectJson(res, 200, 'with a new token')
        if (typeof body.token !== 'string' || body.token === session.token) {
          throw new CheckFailed('a new token', typeof body.token === 'string' ? 'the same token' : 'no token')
        }
        session.token = body.token
        return undefined
      },
    },
    {
      name: 'logout',
      run: async () => {
        if (session.token === undefined) return needs(session.token, 'login')
        // The newest token: logout revokes its whole login, the refresh tokens included.
        const res = await request(at('/api/auth/logout'), {
          method: 'POST',
          headers: { Authorization: `Bearer ${session.token}` },
        })
        if (res.status !== 204) throw new CheckFailed('204', String(res.status))
        return undefined
      },
    },
  ]
}
