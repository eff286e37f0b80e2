import { uniqueConflict } from '../data/users'
import { ApiError } from './errors'

/** The 409 for a write a UNIQUE index refused (`username_taken`, `email_taken`), or the error itself. */
export function conflictOrRethrow(err: unknown): never {
  const field = uniqueConflict(err)
  if (field === 'username') throw new ApiError('username_taken')
  if (field === 'email') throw new ApiError('email_taken')
  throw err
}
