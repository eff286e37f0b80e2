import { invitationConflict } from '../data/invitations'
import { orgConflict } from '../data/organizations'
import { uniqueConflict } from '../data/users'
import { ApiError } from './errors'

/** Maps a UNIQUE constraint failure to its 409; rethrows anything else. */
export function conflictOrRethrow(err: unknown): never {
  const field = uniqueConflict(err) ?? orgConflict(err)
  if (field === 'username') throw new ApiError('username_taken')
  if (field === 'email') throw new ApiError('email_taken')
  if (field === 'slug') throw new ApiError('org_slug_taken')
  if (field === 'membership') throw new ApiError('already_member')
  if (invitationConflict(err)) throw new ApiError('already_invited')
  throw err
}
