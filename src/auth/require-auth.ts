import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { jwt } from 'hono/jwt'
import { decodeHeader } from 'hono/utils/jwt/jwt'
import type { AppEnv } from '../app-env'
import { tokenAudience, tokenIssuer } from '../config'
import { authErrors } from '../http/api-error'
import { findAccountForToken } from '../users/user-queries'
import { keyring } from './keyring'
import { type TokenClaims, tokenClaimsSchema } from './token-claims'
import { hasTokenShape, MAX_TOKEN_LENGTH, TOKEN_ALGORITHM } from './tokens'

const noop = async () => {}

/** The token of a Bearer credential, split as Hono's `jwt` middleware splits it. */
function bearerToken(authorization: string): string | undefined {
  const parts = authorization.split(/\s+/)
  return parts.length === 2 && parts[0].toLowerCase() === 'bearer' ? parts[1] : undefined
}

/** The `kid` of a token's header, if it has one that can be read. */
function keyIdOf(token: string): unknown {
  try {
    return decodeHeader(token).kid
  } catch {
    return undefined
  }
}

/**
 * The claims of the request's `Authorization: Bearer <token>`, verified with
 * Hono's JWT middleware: Bearer only (scheme case-insensitive; no cookie, no
 * query string), HS256 only, `typ: JWT`, our `iss` and `aud`, signed by the key
 * its `kid` names. A token too long or not spelt canonically (`hasTokenShape`)
 * is refused before any decoding or crypto. Throws the guide's 401s.
 *
 * Expiry is checked here, after the signature, so a forged token is never
 * told apart as merely expired, and a token without `exp` is refused.
 */
export async function verifiedClaims(c: Context<AppEnv>): Promise<TokenClaims> {
  const authorization = c.req.header('Authorization')
  if (!authorization) throw authErrors.missingAuthorization()
  if (authorization.length > MAX_TOKEN_LENGTH) throw authErrors.invalidToken()
  const token = bearerToken(authorization)
  if (token === undefined || !hasTokenShape(token)) throw authErrors.invalidToken()
  const { verifyKeys } = await keyring(c.env)
  const kid = keyIdOf(token)
  const key = typeof kid === 'string' ? verifyKeys.get(kid) : undefined
  if (!key) throw authErrors.invalidToken()

  const verify = jwt({
    secret: key,
    alg: TOKEN_ALGORITHM,
    verification: { exp: false, iss: tokenIssuer(c.env), aud: tokenAudience(c.env), typ: 'JWT' },
  })
  try {
    await verify(c, noop)
  } catch {
    // Hono's error messages embed the token: never log or rethrow them.
    throw authErrors.invalidToken()
  }
  const claims = tokenClaimsSchema.safeParse(c.get('jwtPayload'))
  if (!claims.success) throw authErrors.invalidToken()
  if (claims.data.exp <= Math.floor(Date.now() / 1000)) throw authErrors.invalidToken(true)
  return claims.data
}

/**
 * Guards a route: the token must pass `verifiedClaims`, then one D1 query by
 * primary key refuses the token of an account deleted or disabled since, of
 * one whose `token_version` moved on (password changed, or logged out
 * everywhere), and a token logged out by its `jti`. Sets `c.var.user` to the
 * account as it is now (its role, not the token's, decides 403s) and
 * `c.var.token` to the claims.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = await verifiedClaims(c)
  const account = await findAccountForToken(c.var.db, token)
  if (!account || account.revoked || account.user.disabledAt || account.user.tokenVersion !== token.ver) {
    throw authErrors.invalidToken()
  }
  c.set('user', account.user)
  c.set('token', token)
  await next()
})
