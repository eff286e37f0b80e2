import { z } from '@hono/zod-openapi'
import { PASSWORD_MAX_LENGTH } from '../../auth/passwords'
import { idSchema } from '../../lib/id-schemas'

/** A password as typed to prove who one is: bounded, but not held to the policy. */
export const enteredPasswordSchema = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 2)
  .openapi({
    format: 'password',
    description: 'The password as it was set: compared exactly, never trimmed or case-folded',
    example: 'correct horse battery staple',
  })

/** What login and a password change answer: the guide's four fields. */
export const LoginResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: idSchema,
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
  })
  .openapi('LoginResponse')

/** A token as login issues one (its signature made up): what the examples of the document show. */
const EXAMPLE_TOKEN = [
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InEzdFZiOHhZejBBYkNkRWYifQ',
  'eyJpc3MiOiJvcmdzdGFjayIsImF1ZCI6Im9yZ3N0YWNrLWFwaSIsInN1YiI6IjAxOWFjMWYyLTdhM2ItN2NkZS04ZjAxLTIzNDU2Nzg5YWJjZCIsInVzZXJuYW1lIjoiYWxpY2UiLCJyb2xlIjoibWVtYmVyIiwianRpIjoiMDE5YWMxZjMtNWM2ZC03ZThmLTlhMGItMWMyZDNlNGY1YTZiIiwidmVyIjowLCJpYXQiOjE3OTU5MzkyMDAsImV4cCI6MTc5NjAyNTYwMH0',
  'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
].join('.')

export const LOGIN_RESPONSE_EXAMPLE: z.infer<typeof LoginResponseSchema> = {
  token: EXAMPLE_TOKEN,
  userId: '019ac1f2-7a3b-7cde-8f01-23456789abcd',
  username: 'alice',
  expiresIn: 86400,
}
