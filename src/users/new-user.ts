import { z } from 'zod'
import { type Hashing, hashPassword, newPasswordSchema } from '../auth/passwords'
import { type NewUser, type Role, roles } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Username must be 3 to 32 letters, digits, ".", "_" or "-"')

/** A regex, not `z.email()`, so the OpenAPI document states the pattern: `format: email` would promise all of RFC 5321. */
export const emailSchema = z.string().regex(z.regexes.email, 'Invalid email address').max(254)

export const DEFAULT_ROLE: Role = 'member'

/** A new account's fields, as the operator CLI checks them; the API's `NewUserSchema` documents the same rules. */
export const newUserSchema = z.strictObject({
  username: usernameSchema,
  email: emailSchema,
  password: newPasswordSchema,
  role: z.enum(roles).optional(),
})

export type NewUserInput = Pick<NewUser, 'username' | 'email' | 'role'> & { password: string }

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
