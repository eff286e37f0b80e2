import { invitationConflict } from '../data/invitations'
import { orgConflict } from '../data/organizations'
import { uniqueConflict } from '../data/users'
import { ApiError } from './errors'

/**
 * The 409 for a write a UNIQUE index or key refused (`username_taken`, `email_taken`,
 * `org_slug_taken`, `already_member`, `already_invited`), or the error itself.
 */
export function conflictOrRethrow(err: unknown): never {
  const field = uniqueConflict(err) ?? orgConflict(err)
  if (field === 'username') throw new ApiError('username_taken')
  if (field === 'email') throw new ApiError('email_taken')
  if (field === 'slug') throw new ApiError('org_slug_taken')
  if (field === 'membership') throw new ApiError('already_member')
  if (invitationConflict(err)) throw new ApiError('already_invited')
  throw err
}
