import { sign } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import { decodeHeader } from 'hono/utils/jwt/jwt'
import { z } from 'zod'
import { roles, type User } from '../data/schema'
import { base64Url } from '../lib/base64url'

export const TOKEN_ALGORITHM = 'HS256'

/** Tokens longer than this are refused before any decoding or crypto. */
export const MAX_TOKEN_LENGTH = 4096

const HMAC = { name: 'HMAC', hash: 'SHA-256' }

/** `exp` is required here although Hono's `verify` accepts a token without one; `ver` is the `token_version`. */
export const tokenClaimsSchema = z.object({
  iss: z.string(),
  aud: z.string(),
  sub: z.string().min(1),
  username: z.string(),
  role: z.enum(roles),
  jti: z.string().min(1),
  ver: z.number().int().nonnegative(),
  fam: z.string().min(1).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
})

export type TokenClaims = z.infer<typeof tokenClaimsSchema>

// HS256's 32-byte signature is 43 characters whose last carries two spare bits, which must be zero.
const TOKEN_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]{42}[AEIMQUYcgkosw048]$/

/** One encoding per signature: lenient decoders also accept `+`, `/`, `=` padding and non-zero spare bits. */
export const hasTokenShape = (token: string): boolean => TOKEN_SHAPE.test(token)

export type Keyring = {
  /** A JWK, so Hono's `sign` writes its `kid` into the header. */
  jwk: HonoJsonWebKey
  verifyKeys: ReadonlyMap<string, CryptoKey>
}

/** The `kid` names a secret without revealing it. */
async function keyFor(bytes: Uint8Array<ArrayBuffer>) {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const verifyKey = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['verify'])
  return { kid: base64Url(digest).slice(0, 16), verifyKey }
}

/** `secrets` lists the current one first: it signs. */
export async function tokenKeysOf(secrets: Uint8Array<ArrayBuffer>[]): Promise<Keyring> {
  const keys = await Promise.all(secrets.map(keyFor))
  return {
    jwk: { kty: 'oct', k: base64Url(secrets[0]), alg: TOKEN_ALGORITHM, kid: keys[0].kid },
    verifyKeys: new Map(keys.map((key) => [key.kid, key.verifyKey])),
  }
}

export type TokenSettings = Keyring & { issuer: string; audience: string; ttlSeconds: number }

/** Undefined unless the header's `kid` names one of our keys. */
export function verifyingKey({ verifyKeys }: Pick<TokenSettings, 'verifyKeys'>, token: string): CryptoKey | undefined {
  let kid: unknown
  try {
    kid = decodeHeader(token).kid
  } catch {
    return undefined
  }
  return typeof kid === 'string' ? verifyKeys.get(kid) : undefined
}

/** `familyId` becomes `fam`: revoking the family refuses the token too. */
export async function issueToken(
  user: Pick<User, 'id' | 'username' | 'role' | 'tokenVersion'>,
  settings: TokenSettings,
  familyId?: string,
) {
  const { jwk, issuer, audience, ttlSeconds } = settings
  const iat = Math.floor(Date.now() / 1000)
  const claims: TokenClaims = {
    iss: issuer,
    aud: audience,
    sub: user.id,
    username: user.username,
    role: user.role,
    jti: crypto.randomUUID(),
    ver: user.tokenVersion,
    ...(familyId !== undefined && { fam: familyId }),
    iat,
    exp: iat + ttlSeconds,
  }
  const token = await sign(claims, jwk, TOKEN_ALGORITHM)
  return { token, userId: user.id, username: user.username, expiresIn: ttlSeconds }
}
