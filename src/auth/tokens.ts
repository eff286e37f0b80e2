import { sign } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import type { User } from '../db/schema'
import type { TokenClaims } from './token-claims'

export const TOKEN_ALGORITHM = 'HS256'

/** Tokens longer than this are refused before any decoding or crypto. */
export const MAX_TOKEN_LENGTH = 4096

// Base64url without padding; the signature is the 43 characters of HS256's 32 bytes, and its last
// character carries two spare bits, which must be zero: only 16 of the 64 characters fit there.
const TOKEN_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]{42}[AEIMQUYcgkosw048]$/

/**
 * Whether `token` is spelt the one way an HS256 token of ours can be: three segments of the
 * base64url alphabet without padding, the signature in its canonical 43 characters. Lenient
 * decoders also read `+`, `/`, `=` padding and non-zero spare bits, so one signature would have
 * several spellings; checked before any decoding or crypto. Header and payload need only the
 * alphabet: the signature covers their exact text.
 *
 * @example
 * hasTokenShape(await issueToken(user, settings)) // true
 * hasTokenShape(`${token}=`) // false
 */
export const hasTokenShape = (token: string): boolean => TOKEN_SHAPE.test(token)

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
