import { z } from '@hono/zod-openapi'
import { isCommonPassword } from './common-passwords'
import { isPolicyLength, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-length'

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH }

/** A password being set: checked before it is ever hashed. Login does not check commonness. */
export const newPasswordSchema = z
  .string()
  // The cheap bounds check first; `abort` keeps a password outside them from being normalised at all.
  .refine(isPolicyLength, {
    error: `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    abort: true,
  })
  .refine((password) => !isCommonPassword(password), 'Password is too common')
  .openapi({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, format: 'password' })
