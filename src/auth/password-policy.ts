import { z } from '@hono/zod-openapi'

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

/** Counts code points, so an emoji is one character; stops early on absurd inputs. */
function withinPolicy(password: string): boolean {
  if (password.length > PASSWORD_MAX_LENGTH * 2) return false
  const length = [...password].length
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH
}

/** A password being set: checked before it is ever hashed. */
export const newPasswordSchema = z
  .string()
  .refine(withinPolicy, `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`)
  .openapi({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, format: 'password' })
