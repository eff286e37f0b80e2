import { z } from '@hono/zod-openapi'
import { roles } from '../../data/schema'
import { jsonResponse } from '../../http/openapi'
import { ManagedUserSchema } from '../../users/public-user'

export const UserIdParamsSchema = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '019ac1f2-7a3b-7cde-8f01-23456789abcd' }),
})

/** A 2xx answer carrying one user as admins see it. */
export const userResponse = (description: string) => jsonResponse(description, ManagedUserSchema)

export const UpdateUserSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    role: z.enum(roles).optional(),
    disabled: z
      .boolean()
      .optional()
      .openapi({ description: 'A disabled user cannot log in; their tokens stop working' }),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Give at least one of email, role, disabled')
  .openapi('UpdateUser')
