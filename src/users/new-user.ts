import { z } from '@hono/zod-openapi'
import { type Hashing, hashPassword, newPasswordSchema } from '../auth/passwords'
import { type NewUser, type Role, roles } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Username must be 3 to 32 letters, digits, ".", "_" or "-"')
  .openapi({
    description: '3 to 32 letters, digits, `.`, `_` or `-`; kept as written, unique whatever its case',
    example: 'alice',
  })

/**
 * An email address as `z.email()` accepts it, written as a regex check of the same pattern so
 * that the OpenAPI document carries the pattern itself: `format: email` alone promises RFC 5321,
 * which allows addresses (`a$b@example.com`) this one refuses.
 */
export const emailSchema = z
  .string()
  .regex(z.regexes.email, 'Invalid email address')
  .max(254)
  .openapi({ description: 'An email address; kept and answered in lower case', example: 'alice@example.com' })

/** The role of a new account whose creator names none. */
export const DEFAULT_ROLE: Role = 'member'

export const NewUserSchema = z.strictObject({
  username: usernameSchema,
  email: emailSchema,
  password: newPasswordSchema,
  // Optional here, defaulted in `buildUser`: a default in the schema reads as required to client generators.
  role: z
    .enum(roles)
    .optional()
    .openapi({ description: `\`${DEFAULT_ROLE}\` if absent` }),
})

export type NewUserInput = z.infer<typeof NewUserSchema>

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
