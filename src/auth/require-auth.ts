import { createMiddleware } from 'hono/factory'
import { jwt } from 'hono/jwt'
import type { AppEnv } from '../app-env'
import { authErrors } from '../http/api-error'
import { findAccountForToken } from '../users/user-queries'
import { signingKey } from './signing-key'
import { tokenClaimsSchema } from './token-claims'
import { TOKEN_ALGORITHM } from './tokens'

const noop = async () => {}

/**
 * Guards a route with Hono's JWT middleware: `Authorization: Bearer <token>`
 * only (scheme case-insensitive; no cookie, no query string), HS256 only.
 *
 * Then one D1 query by primary key refuses the token of an account deleted or
 * disabled since, of one whose `token_version` moved on (password changed, or
 * logged out everywhere), and a token logged out by its `jti`. Sets
 * `c.var.user` to the account as it is now (its role, not the token's, decides
 * 403s) and `c.var.token` to the claims.
 *
 * Expiry is checked here, after the signature, so a forged token is never
 * told apart as merely expired, and a token without `exp` is refused.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.req.header('Authorization')) throw authErrors.missingAuthorization()
  const verify = jwt({ secret: await signingKey(c.env), alg: TOKEN_ALGORITHM, verification: { exp: false } })
  try {
    await verify(c, noop)
  } catch {
    // Hono's error messages embed the token: never log or rethrow them.
    throw authErrors.invalidToken()
  }
  const claims = tokenClaimsSchema.safeParse(c.get('jwtPayload'))
  if (!claims.success) throw authErrors.invalidToken()
  const token = claims.data
  if (token.exp <= Math.floor(Date.now() / 1000)) throw authErrors.invalidToken(true)

  const account = await findAccountForToken(c.var.db, token)
  if (!account || account.revoked || account.user.disabledAt || account.user.tokenVersion !== token.ver) {
    throw authErrors.invalidToken()
  }
  c.set('user', account.user)
  c.set('token', token)
  await next()
})
