import { DEFAULT_PASSWORD, request } from './helpers'

/** Something that should end a user's sessions: done to `victim` (holding `token`) by an admin or by themselves. */
export type Revocation = (victim: { id: string }, token: string, adminToken: string) => Promise<Response>

/** What ends every session of a user, whichever token or refresh token it holds. */
export const userWideRevocations: [string, Revocation][] = [
  ['the account is deleted', (v, _t, admin) => request(`/api/users/${v.id}`, { method: 'DELETE', token: admin })],
  [
    'the account is disabled',
    (v, _t, admin) => request(`/api/users/${v.id}`, { method: 'PATCH', token: admin, json: { disabled: true } }),
  ],
  [
    'the password is changed',
    (_v, token) =>
      request('/api/auth/password', {
        method: 'POST',
        token,
        json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'changed password!' },
      }),
  ],
  ['the user logs out everywhere', (_v, token) => request('/api/auth/logout-all', { method: 'POST', token, json: {} })],
]
