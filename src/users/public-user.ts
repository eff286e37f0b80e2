import { z } from '@hono/zod-openapi'
import { roles, type User } from '../data/schema'
import { idSchema } from '../lib/id-schemas'
import { emailSchema } from './new-user'

/** A user as the API shows it: never any password material. */
export const PublicUserSchema = z
  .object({
    userId: idSchema,
    username: z.string().openapi({ example: 'alice' }),
    email: emailSchema,
    role: z.enum(roles),
    createdAt: z.iso.datetime(),
  })
  .openapi('User')

/** A user as admins see it: with the account's state. */
export const ManagedUserSchema = PublicUserSchema.extend({
  disabled: z.boolean(),
  updatedAt: z.iso.datetime(),
}).openapi('ManagedUser')

export const PUBLIC_USER_EXAMPLE: z.infer<typeof PublicUserSchema> = {
  userId: '019ac1f2-7a3b-7cde-8f01-23456789abcd',
  username: 'alice',
  email: 'alice@example.com',
  role: 'member',
  createdAt: '2026-11-29T10:15:30.123Z',
}

export const MANAGED_USER_EXAMPLE: z.infer<typeof ManagedUserSchema> = {
  ...PUBLIC_USER_EXAMPLE,
  disabled: false,
  updatedAt: '2026-11-29T10:15:30.123Z',
}

export const toPublicUser = (user: User): z.infer<typeof PublicUserSchema> => ({
  userId: user.id,
  username: user.username,
  email: user.email,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
})

export const toManagedUser = (user: User): z.infer<typeof ManagedUserSchema> => ({
  ...toPublicUser(user),
  disabled: user.disabledAt !== null,
  updatedAt: user.updatedAt.toISOString(),
})
