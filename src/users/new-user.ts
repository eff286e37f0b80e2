import { z } from 'zod'
import { type Hashing, hashPassword } from '../auth/passwords'
import type { NewUser, Role } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Username must be 3 to 32 letters, digits, ".", "_" or "-"')

/**
 * An email address as `z.email()` accepts it, written as a regex check of the same pattern so
 * that the OpenAPI document carries the pattern itself: `format: email` alone promises RFC 5321,
 * which allows addresses (`a$b@example.com`) this one refuses.
 */
export const emailSchema = z.string().regex(z.regexes.email, 'Invalid email address').max(254)

/** The role of a new account whose creator names none. */
export const DEFAULT_ROLE: Role = 'member'

/** A new account as its creator gives it: the password in clear, the role optional. */
export type NewUserInput = Pick<NewUser, 'username' | 'email' | 'role'> & { password: string }

/** The row for a new account: id, normalised keys, role and password hash derived here, once. */
export async function buildUser(input: NewUserInput, hashing: Hashing, now = new Date()): Promise<NewUser> {
  return {
    id: uuidv7(now.getTime()),
    username: input.username,
    usernameKey: normalizeIdentifier(input.username),
    email: normalizeIdentifier(input.email),
    passwordHash: await hashPassword(input.password, hashing),
    role: input.role ?? DEFAULT_ROLE,
    createdAt: now,
    updatedAt: now,
  }
}
