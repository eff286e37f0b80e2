import { z } from '@hono/zod-openapi'
import { PASSWORD_MAX_LENGTH } from '../../auth/passwords'
import { idSchema } from '../../lib/id-schemas'

/** A password as typed to prove who one is: bounded, but not held to the policy. */
export const enteredPasswordSchema = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 2)
  .openapi({ format: 'password', example: 'correct horse battery staple' })

/** What login and a password change answer: the guide's four fields. */
export const LoginResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: idSchema,
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
  })
  .openapi('LoginResponse')
