import { z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { verify } from 'hono/jwt'
import type { AppEnv } from '../app-env'
import {
  hasTokenShape,
  MAX_TOKEN_LENGTH,
  TOKEN_ALGORITHM,
  type TokenClaims,
  tokenClaimsSchema,
  verifyingKey,
} from '../auth/tokens'
import { findAccountInOrg } from '../data/organizations'
import { orgRoles, type Role, type User } from '../data/schema'
import { findAccount } from '../data/users'
import { may, type OrgAction, orgAccess } from '../orgs/permissions'
import { ApiError, type ErrorCode } from './errors'
import { idParamSchema } from './id-schemas'

/**
 * The token of a Bearer credential (`Bearer <token>`, the scheme in any case), split as Hono's
 * `jwt` middleware splits it; undefined for anything else: another scheme, a bare token, the
 * scheme alone, or more than one part after it (`Bearer Bearer <token>`).
 */
function bearerToken(authorization: string | undefined): string | undefined {
  const parts = authorization?.split(/\s+/)
  return parts?.length === 2 && parts[0].toLowerCase() === 'bearer' && parts[1] !== '' ? parts[1] : undefined
}

/**
 * The claims of the request's `Authorization: Bearer <token>`, verified by Hono's `verify` with
 * the keys imported once per settings: Bearer only (scheme case-insensitive; no cookie, no
 * query string), HS256 only, `typ: JWT`, our `iss` and `aud`, signed by the key
 * its `kid` names. A token too long or not spelt canonically (`hasTokenShape`)
 * is refused before any decoding or crypto. Throws the guide's 401s.
 *
 * A request without Bearer credentials is answered as one without the header (RFC 6750 §3.1):
 * `invalid_token` would send its client looking for a fresher token, not for the right header.
 *
 * Expiry is checked here, after the signature, so a forged token is never
 * told apart as merely expired, and a token without `exp` is refused.
 */
export async function verifiedClaims(c: Context<AppEnv>): Promise<TokenClaims> {
  const token = bearerToken(c.req.header('Authorization'))
  if (token === undefined) throw new ApiError('missing_authorization')
  if (token.length > MAX_TOKEN_LENGTH || !hasTokenShape(token)) throw new ApiError('invalid_token')
  const { tokens } = c.var.settings
  const key = verifyingKey(tokens, token)
  if (!key) throw new ApiError('invalid_token')
  let payload: unknown
  try {
    payload = await verify(token, key, {
      alg: TOKEN_ALGORITHM,
      typ: 'JWT',
      iss: tokens.issuer,
      aud: tokens.audience,
      exp: false,
    })
  } catch {
    // Hono's error messages embed the token: never log or rethrow them.
    throw new ApiError('invalid_token')
  }
  const claims = tokenClaimsSchema.safeParse(payload)
  if (!claims.success) throw new ApiError('invalid_token')
  if (claims.data.exp <= Math.floor(Date.now() / 1000)) throw new ApiError('token_expired')
  return claims.data
}

/** The account a verified token may act as, or the 401 of one deleted, disabled, revoked or outdated since. */
function activeAccount<A extends { user: User; revoked: number }>(account: A | undefined, token: TokenClaims): A {
  if (!account || account.revoked || account.user.disabledAt || account.user.tokenVersion !== token.ver) {
    throw new ApiError('invalid_token')
  }
  return account
}

/**
 * Guards a route: the token must pass `verifiedClaims`, then one D1 query by
 * primary key refuses the token of an account deleted or disabled since, of
 * one whose `token_version` moved on (password changed, or logged out
 * everywhere), a token logged out by its `jti`, and one issued from a refresh
 * token family since revoked (its `fam`: logged out, or a refresh token
 * replayed). Sets `c.var.user` to the account as it is now (its role, not the
 * token's, decides 403s) and `c.var.token` to the claims.
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = await verifiedClaims(c)
  const account = await findAccount(c.var.db, { userId: token.sub, jti: token.jti, familyId: token.fam })
  c.set('user', activeAccount(account, token).user)
  c.set('token', token)
  await next()
})

const orgPathSchema = z.object({ orgId: idParamSchema, userId: idParamSchema.optional() })

/**
 * Guards a route under `/{orgId}`: what `requireAuth` checks, the organisation, the caller's
 * role there and, under `/{userId}`, that member, all in the same one query. Someone who is not
 * a member is answered 404 `org_not_found` as if it did not exist; a member whose role may not
 * do `action`, 403. Sets `c.var.orgScope`. A malformed id is left to the route's validator (400).
 */
const requireOrgAccess = (action: OrgAction) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const token = await verifiedClaims(c)
    const path = orgPathSchema.safeParse(c.req.param())
    const found = await findAccountInOrg(c.var.db, {
      userId: token.sub,
      jti: token.jti,
      familyId: token.fam,
      orgId: path.data?.orgId ?? '',
      memberId: path.data?.userId,
    })
    const { user, org, role, member } = activeAccount(found, token)
    c.set('user', user)
    c.set('token', token)
    if (path.success) {
      const access = orgAccess({ globalRole: user.role, orgExists: org !== null, orgRole: role }, action)
      if (org === null || access === 'hidden') throw new ApiError('org_not_found')
      if (access === 'forbidden') throw new ApiError('insufficient_permissions')
      c.set('orgScope', { org, role, member })
    }
    await next()
  })

/** After `requireAuth`: answers 403 unless the caller's current role is `role`. */
const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.var.user.role !== role) throw new ApiError('insufficient_permissions')
    await next()
  })

/** The scheme `bearerAuth` names in the OpenAPI document. */
export const BEARER_SCHEME = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } as const

/** `security` of a route that takes `Authorization: Bearer <token>`, in the OpenAPI document. */
const bearerAuth = [{ bearerAuth: [] }]

/**
 * Who may call a route, for `apiRoute`: the `security` the document shows, the middleware that
 * enforces it, and the codes that middleware answers by itself.
 */
export type Guard = {
  security: { bearerAuth: never[] }[]
  middleware: MiddlewareHandler<AppEnv>[]
  errors: readonly ErrorCode[]
}

/** A route for anyone: no token, which the document says with `security: []`. */
export const everyone = { security: [], middleware: [], errors: [] } satisfies Guard

/**
 * Refuses a query string before anything else is read. URLs are kept by proxies, histories and
 * access logs: a credential sent in one is refused, so that no client comes to rely on it.
 */
const refuseQuery = createMiddleware<AppEnv>(async (c, next) => {
  if (new URL(c.req.url).search !== '') throw new ApiError('query_not_allowed')
  await next()
})

/** A route for anyone that takes a credential in its body (a refresh token): no token, and no query string. */
export const bodyCredential = {
  security: [],
  middleware: [refuseQuery],
  errors: ['query_not_allowed'] as const,
} satisfies Guard

const bearerErrors = ['missing_authorization', 'invalid_token', 'token_expired'] as const

/** A route for any signed-in user: documented as taking a bearer token, and guarded so. */
export const signedIn = { security: bearerAuth, middleware: [requireAuth], errors: bearerErrors } satisfies Guard

const orgErrors = [...bearerErrors, 'org_not_found', 'insufficient_permissions'] as const

/**
 * A route in the organisation `{orgId}` of its path for those whose role there may do
 * `action` (a global admin may do anything); anyone else who is not a member is told it does
 * not exist. The guard's 403 is declared only for an action some role may not do.
 */
export const inOrg = (action: OrgAction) =>
  ({
    security: bearerAuth,
    middleware: [requireOrgAccess(action)],
    errors: orgRoles.some((role) => !may(role, action))
      ? orgErrors
      : orgErrors.filter((code) => code !== 'insufficient_permissions'),
  }) satisfies Guard

/** A route for admins only. */
export const adminsOnly = {
  security: bearerAuth,
  middleware: [requireAuth, requireRole('admin')],
  errors: [...bearerErrors, 'insufficient_permissions'] as const,
} satisfies Guard
