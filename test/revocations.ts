import { bearer, client, DEFAULT_PASSWORD } from './helpers'

/** Something that should end a user's sessions: done to `victim` (holding `token`) by an admin or by themselves. */
export type Revocation = (victim: { id: string }, token: string, adminToken: string) => Promise<{ status: number }>

/** What ends every session of a user, whichever token or refresh token it holds. */
export const userWideRevocations: [string, Revocation][] = [
  ['the account is deleted', (v, _t, admin) => client.api.users[':id'].$delete({ param: { id: v.id } }, bearer(admin))],
  [
    'the account is disabled',
    (v, _t, admin) => client.api.users[':id'].$patch({ param: { id: v.id }, json: { disabled: true } }, bearer(admin)),
  ],
  [
    'the password is changed',
    (_v, token) =>
      client.api.auth.password.$post(
        { json: { currentPassword: DEFAULT_PASSWORD, newPassword: 'changed password!' } },
        bearer(token),
      ),
  ],
  ['the user logs out everywhere', (_v, token) => client.api.auth['logout-all'].$post({}, bearer(token))],
]
