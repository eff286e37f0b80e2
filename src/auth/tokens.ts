import { sign } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import type { User } from '../db/schema'
import type { TokenClaims } from './token-claims'

export const TOKEN_ALGORITHM = 'HS256'

/** Tokens longer than this are refused before any decoding or crypto. */
export const MAX_TOKEN_LENGTH = 4096

export type TokenSettings = { jwk: HonoJsonWebKey; issuer: string; audience: string; ttlSeconds: number }

/** Signs an access token for `user` that expires `ttlSeconds` from now, with the key's `kid` in its header. */
export function issueToken(
  user: Pick<User, 'id' | 'username' | 'role' | 'tokenVersion'>,
  { jwk, issuer, audience, ttlSeconds }: TokenSettings,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000)
  const claims: TokenClaims = {
    iss: issuer,
    aud: audience,
    sub: user.id,
    username: user.username,
    role: user.role,
    jti: crypto.randomUUID(),
    ver: user.tokenVersion,
    iat,
    exp: iat + ttlSeconds,
  }
  return sign(claims, jwk, TOKEN_ALGORITHM)
}
