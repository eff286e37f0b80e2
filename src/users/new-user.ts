import { z } from '@hono/zod-openapi'
import { type Hashing, hashPassword, newPasswordSchema } from '../auth/passwords'
import { type NewUser, roles } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'

export const usernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Username must be 3 to 32 letters, digits, ".", "_" or "-"')
  .openapi({ example: 'alice' })

export const NewUserSchema = z.strictObject({
  username: usernameSchema,
  email: z.email().max(254),
  password: newPasswordSchema,
  role: z.enum(roles).default('member'),
})

export type NewUserInput = z.infer<typeof NewUserSchema>

/** The row for a new account: id, normalised keys and password hash derived here, once. */
export async function buildUser(input: NewUserInput, hashing: Hashing, now = new Date()): Promise<NewUser> {
  return {
    id: uuidv7(now.getTime()),
    username: input.username,
    usernameKey: normalizeIdentifier(input.username),
    email: normalizeIdentifier(input.email),
    passwordHash: await hashPassword(input.password, hashing),
    role: input.role,
    createdAt: now,
    updatedAt: now,
  }
}
