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

/**
 * The claims OrgStack signs and requires back. `exp` is required here although
 * Hono's `verify` accepts a token without one. `jti` names the token for logout;
 * `ver` is the account's `token_version` when it was issued; `fam` the refresh
 * token family it was issued from, refused with it (absent from tokens issued
 * before refresh tokens existed).
 */
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
 * hasTokenShape((await issueToken(user, tokens)).token) // true
 * hasTokenShape(`${token}=`) // false
 */
export const hasTokenShape = (token: string): boolean => TOKEN_SHAPE.test(token)

/** The keys tokens are signed and verified with. */
export type Keyring = {
  /** Signs: `JWT_SECRET` as a JWK, so Hono's `sign` writes its `kid` into the header. */
  jwk: HonoJsonWebKey
  /** Verifies: `JWT_SECRET`'s key, and `JWT_SECRET_PREVIOUS`'s during a rotation, by `kid`. */
  verifyKeys: ReadonlyMap<string, CryptoKey>
}

/** A key id that names a secret without revealing anything of it: part of a hash of it. */
async function keyFor(bytes: Uint8Array<ArrayBuffer>) {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const verifyKey = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['verify'])
  return { kid: base64Url(digest).slice(0, 16), verifyKey }
}

/**
 * The keyring of `JWT_SECRET`'s bytes and, during a rotation, `JWT_SECRET_PREVIOUS`'s (the current first).
 *
 * @example
 * const { jwk, verifyKeys } = await tokenKeysOf([current, previous])
 */
export async function tokenKeysOf(secrets: Uint8Array<ArrayBuffer>[]): Promise<Keyring> {
  const keys = await Promise.all(secrets.map(keyFor))
  return {
    jwk: { kty: 'oct', k: base64Url(secrets[0]), alg: TOKEN_ALGORITHM, kid: keys[0].kid },
    verifyKeys: new Map(keys.map((key) => [key.kid, key.verifyKey])),
  }
}

/** What signing and verifying need: the keys, our `iss` and `aud`, and how long an access token lives. */
export type TokenSettings = Keyring & { issuer: string; audience: string; ttlSeconds: number }

/** The key that verifies `token`: the one its header's `kid` names; undefined for none of ours. */
export function verifyingKey({ verifyKeys }: Pick<TokenSettings, 'verifyKeys'>, token: string): CryptoKey | undefined {
  let kid: unknown
  try {
    kid = decodeHeader(token).kid
  } catch {
    return undefined
  }
  return typeof kid === 'string' ? verifyKeys.get(kid) : undefined
}

/**
 * A fresh access token for `user`, expiring `ttlSeconds` from now, with the key's `kid` in
 * its header, in the shape login and password change answer with. `familyId` names the
 * refresh token family it is issued from (`fam`): revoking the family refuses it too.
 *
 * @example
 * const { token, expiresIn } = await issueToken(user, c.var.settings.tokens, family.familyId)
 */
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
