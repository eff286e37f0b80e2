import { z } from '@hono/zod-openapi'
import { type Account, roles } from '../../data/schema'
import { idParamSchema, idSchema } from '../../http/id-schemas'
import { jsonResponse } from '../../http/openapi'
import { DEFAULT_ROLE, emailSchema as emailRule, usernameSchema as usernameRule } from '../../users/new-user'
import { newPasswordSchema } from '../auth/schemas'

const usernameSchema = usernameRule.openapi({
  description: '3 to 32 letters, digits, `.`, `_` or `-`; kept as written, unique whatever its case',
  example: 'alice',
})

export const emailSchema = emailRule.openapi({
  description: 'An email address; stored and returned in lower case',
  example: 'alice@example.com',
})

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

/** Never any password material. */
export const PublicUserSchema = z
  .object({
    userId: idSchema,
    username: z.string().openapi({ example: 'alice' }),
    email: emailSchema,
    role: z.enum(roles),
    createdAt: z.iso.datetime(),
  })
  .openapi('User')

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

export const toPublicUser = (user: Account): z.infer<typeof PublicUserSchema> => ({
  userId: user.id,
  username: user.username,
  email: user.email,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
})

export const toManagedUser = (user: Account): z.infer<typeof ManagedUserSchema> => ({
  ...toPublicUser(user),
  disabled: user.disabledAt !== null,
  updatedAt: user.updatedAt.toISOString(),
})

export const UserIdParamsSchema = z.object({
  id: idParamSchema.openapi({ param: { name: 'id', in: 'path' }, description: "The user's `userId`, in either case" }),
})

export const userResponse = (description: string, example = MANAGED_USER_EXAMPLE) =>
  jsonResponse(description, ManagedUserSchema, example)

export const UpdateUserSchema = z
  .strictObject({
    email: emailSchema.optional(),
    role: z.enum(roles).optional(),
    disabled: z
      .boolean()
      .optional()
      .openapi({ description: 'A disabled user cannot log in; their tokens stop working' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one of email, role, disabled')
  .openapi('UpdateUser', { minProperties: 1 })
