import { z } from '@hono/zod-openapi'
import { roles, type User } from '../db/schema'

/** A user as the API shows it: never any password material. */
export const PublicUserSchema = z
  .object({
    userId: z.uuid(),
    username: z.string().openapi({ example: 'alice' }),
    email: z.email().openapi({ example: 'alice@example.com' }),
    role: z.enum(roles),
    createdAt: z.iso.datetime(),
  })
  .openapi('User')

export type PublicUser = z.infer<typeof PublicUserSchema>

export const toPublicUser = (user: User): PublicUser => ({
  userId: user.id,
  username: user.username,
  email: user.email,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
})
