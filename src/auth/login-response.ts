import { z } from '@hono/zod-openapi'
import type { User } from '../db/schema'
import { issueToken } from './tokens'

export const LoginResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: z.uuid(),
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
  })
  .openapi('LoginResponse')

/** A fresh token for `user`, in the shape login answers with. */
export async function loginResponse(
  user: Pick<User, 'id' | 'username' | 'role' | 'tokenVersion'>,
  key: CryptoKey,
  expiresIn: number,
): Promise<z.infer<typeof LoginResponseSchema>> {
  return { token: await issueToken(user, key, expiresIn), userId: user.id, username: user.username, expiresIn }
}
