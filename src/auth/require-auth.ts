import { createMiddleware } from 'hono/factory'
import { jwt } from 'hono/jwt'
import type { AppEnv } from '../app-env'
import { authErrors } from '../http/api-error'
import { signingKey } from './signing-key'
import { tokenClaimsSchema } from './token-claims'
import { TOKEN_ALGORITHM } from './tokens'

const noop = async () => {}

/**
 * Guards a route with Hono's JWT middleware: `Authorization: Bearer <token>`
 * only (scheme case-insensitive; no cookie, no query string), HS256 only.
 * Sets `c.var.auth` to the verified claims.
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
  if (claims.data.exp <= Math.floor(Date.now() / 1000)) throw authErrors.invalidToken(true)
  c.set('auth', claims.data)
  await next()
})
