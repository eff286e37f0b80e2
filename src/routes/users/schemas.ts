import { z } from '@hono/zod-openapi'
import { roles } from '../../data/schema'
import { jsonResponse } from '../../http/openapi'
import { idParamSchema } from '../../lib/id-schemas'
import { emailSchema } from '../../users/new-user'
import { MANAGED_USER_EXAMPLE, ManagedUserSchema } from '../../users/public-user'

export const UserIdParamsSchema = z.object({
  id: idParamSchema.openapi({ param: { name: 'id', in: 'path' }, description: "The user's `userId`, in either case" }),
})

/** A 2xx answer carrying one user as admins see it, like `example`. */
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
