import { api, bearer, DEFAULT_PASSWORD, patchJson, postAuthorized } from './helpers'

/** Something that should end a user's sessions: done to `victim` (holding `token`) by an admin or by themselves. */
export type Revocation = (victim: { id: string }, token: string, adminToken: string) => Promise<Response>

/** What ends every session of a user, whichever token or refresh token it holds. */
export const userWideRevocations: [string, Revocation][] = [
  ['the account is deleted', (v, _t, admin) => api(`/api/users/${v.id}`, { method: 'DELETE', ...bearer(admin) })],
  ['the account is disabled', (v, _t, admin) => patchJson(`/api/users/${v.id}`, { disabled: true }, admin)],
  [
    'the password is changed',
    (_v, token) =>
      postAuthorized(
        '/api/auth/password',
        { currentPassword: DEFAULT_PASSWORD, newPassword: 'changed password!' },
        token,
      ),
  ],
  ['the user logs out everywhere', (_v, token) => postAuthorized('/api/auth/logout-all', {}, token)],
]
