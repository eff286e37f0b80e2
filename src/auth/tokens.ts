import { sign } from 'hono/jwt'
import type { User } from '../db/schema'
import type { TokenClaims } from './token-claims'

export const TOKEN_ALGORITHM = 'HS256'

/** Signs an access token for `user` that expires `ttlSeconds` from now. */
export function issueToken(
  user: Pick<User, 'id' | 'username' | 'role' | 'tokenVersion'>,
  key: CryptoKey,
  ttlSeconds: number,
): Promise<string> {
  const iat = Math.floor(Date.now() / 1000)
  const claims: TokenClaims = {
    sub: user.id,
    username: user.username,
    role: user.role,
    jti: crypto.randomUUID(),
    ver: user.tokenVersion,
    iat,
    exp: iat + ttlSeconds,
  }
  return sign(claims, key, TOKEN_ALGORITHM)
}
