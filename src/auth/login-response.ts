import { z } from '@hono/zod-openapi'
import { tokenAudience, tokenIssuer, tokenTtlSeconds } from '../config'
import type { User } from '../db/schema'
import { keyring } from './keyring'
import { issueToken, type TokenSettings } from './tokens'

export const LoginResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: z.uuid(),
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
  })
  .openapi('LoginResponse')

/** What signing needs, read and checked up front, so a misconfigured Worker fails before doing any work. */
export const tokenSettings = async (env: Env): Promise<TokenSettings> => ({
  jwk: (await keyring(env)).signingJwk,
  issuer: tokenIssuer(env),
  audience: tokenAudience(env),
  ttlSeconds: tokenTtlSeconds(env),
})

/** A fresh token for `user`, in the shape login answers with. */
export async function loginResponse(
  user: Pick<User, 'id' | 'username' | 'role' | 'tokenVersion'>,
  settings: TokenSettings,
): Promise<z.infer<typeof LoginResponseSchema>> {
  const token = await issueToken(user, settings)
  return { token, userId: user.id, username: user.username, expiresIn: settings.ttlSeconds }
}
