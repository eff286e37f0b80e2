import { sign } from 'hono/jwt'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import { decodeHeader } from 'hono/utils/jwt/jwt'
import { z } from 'zod'
import { integerVar, stringVar } from '../config'
import { roles, type User } from '../data/schema'
import { base64Url } from '../lib/base64url'
import { rotatingSecret } from '../lib/rotating-secret'

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
 * hasTokenShape(await issueToken(user, settings)) // true
 * hasTokenShape(`${token}=`) // false
 */
export const hasTokenShape = (token: string): boolean => TOKEN_SHAPE.test(token)

/** The keys tokens are signed and verified with. */
type Keyring = {
  /** Signs: `JWT_SECRET` as a JWK, so Hono's `sign` writes its `kid` into the header. */
  signingJwk: HonoJsonWebKey
  /** Verifies: `JWT_SECRET`'s key, and `JWT_SECRET_PREVIOUS`'s during a rotation, by `kid`. */
  verifyKeys: Map<string, CryptoKey>
}

/** A key id that names a secret without revealing anything of it: part of a hash of it. */
async function keyFor(bytes: Uint8Array<ArrayBuffer>) {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const verifyKey = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['verify'])
  return { kid: base64Url(digest).slice(0, 16), verifyKey }
}

/**
 * The keyring for `JWT_SECRET` (and `JWT_SECRET_PREVIOUS` if set), built once per isolate and
 * again only when a secret changes. Refuses a missing or short secret rather than sign or verify with it.
 */
const keyringOf = rotatingSecret('JWT_SECRET', async (secrets): Promise<Keyring> => {
  const keys = await Promise.all(secrets.map(keyFor))
  return {
    signingJwk: { kty: 'oct', k: base64Url(secrets[0]), alg: TOKEN_ALGORITHM, kid: keys[0].kid },
    verifyKeys: new Map(keys.map((key) => [key.kid, key.verifyKey])),
  }
})

const keyring = (env: Env) => keyringOf(env.JWT_SECRET, env.JWT_SECRET_PREVIOUS)

/** What verifying a token needs: the key its header's `kid` names (if any), and our `iss` and `aud`. */
export async function verification(env: Env, token: string) {
  const { verifyKeys } = await keyring(env)
  let kid: unknown
  try {
    kid = decodeHeader(token).kid
  } catch {
    kid = undefined
  }
  const key = typeof kid === 'string' ? verifyKeys.get(kid) : undefined
  return { key, issuer: tokenIssuer(env), audience: tokenAudience(env) }
}

/** `iss` of every token signed, and required of every token accepted. */
const tokenIssuer = (env: Env): string => stringVar(env.TOKEN_ISSUER, 'orgstack')

/** `aud` of every token signed, and required of every token accepted. */
const tokenAudience = (env: Env): string => stringVar(env.TOKEN_AUDIENCE, 'orgstack-api')

/** How long an access token lives. */
export const tokenTtlSeconds = (env: Env): number =>
  integerVar('TOKEN_TTL_SECONDS', env.TOKEN_TTL_SECONDS, 86_400, 60, 31 * 86_400)

/** What signing needs, read and checked up front, so a misconfigured Worker fails before doing any work. */
type TokenSettings = { jwk: HonoJsonWebKey; issuer: string; audience: string; ttlSeconds: number }

export const tokenSettings = async (env: Env): Promise<TokenSettings> => ({
  jwk: (await keyring(env)).signingJwk,
  issuer: tokenIssuer(env),
  audience: tokenAudience(env),
  ttlSeconds: tokenTtlSeconds(env),
})

/**
 * A fresh access token for `user`, expiring `ttlSeconds` from now, with the key's `kid` in
 * its header, in the shape login and password change answer with. `familyId` names the
 * refresh token family it is issued from (`fam`): revoking the family refuses it too.
 *
 * @example
 * const { token, expiresIn } = await issueToken(user, await tokenSettings(c.env), family.familyId)
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
