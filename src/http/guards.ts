import { z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { createMiddleware } from 'hono/factory'
import { verify } from 'hono/jwt'
import type { AppEnv } from '../app-env'
import { type AccountCache, type AccountKey, accountCaches, accountKey } from '../auth/account-cache'
import { looksLikeApiKey } from '../auth/api-key-codec'
import {
  hasTokenShape,
  MAX_TOKEN_LENGTH,
  TOKEN_ALGORITHM,
  type TokenClaims,
  tokenClaimsSchema,
  verifyingKey,
} from '../auth/tokens'
import { findAccountInOrg } from '../data/organizations'
import type { Account, Role } from '../data/schema'
import { findAccount } from '../data/users'
import { type OrgAction, orgAccess } from '../orgs/permissions'
import { apiKeyAccess } from './api-key-access'
import { ApiError, type ErrorCode } from './errors'
import { idParamSchema } from './id-schemas'

/** Split as Hono's `jwt` middleware splits it: exactly one part after a case-insensitive `Bearer`. */
function bearerToken(authorization: string | undefined): string | undefined {
  const parts = authorization?.split(/\s+/)
  return parts?.length === 2 && parts[0].toLowerCase() === 'bearer' && parts[1] !== '' ? parts[1] : undefined
}

/** As if the header were missing (RFC 6750 §3.1): `invalid_token` would send the client for a fresher token. */
function presentedCredential(c: Context<AppEnv>): string {
  const credential = bearerToken(c.req.header('Authorization'))
  if (credential === undefined) throw new ApiError('missing_authorization')
  return credential
}

/** Bearer header only, HS256 only, our `iss` and `aud`; a long or non-canonical token is refused before any crypto. */
export async function verifiedClaims(c: Context<AppEnv>, token = presentedCredential(c)): Promise<TokenClaims> {
  // An API key is good on its organization's routes only: everywhere else, the guide's 403, without a query.
  if (looksLikeApiKey(token)) throw new ApiError('insufficient_permissions')
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
  // After the signature, so a forged token is never distinguished as merely expired.
  if (claims.data.exp <= Math.floor(Date.now() / 1000)) throw new ApiError('token_expired')
  return claims.data
}

/** Throws 401 for an account deleted, disabled, revoked or outdated since the token was issued. */
function activeAccount<A extends { user: Account; revoked: number }>(account: A | undefined, token: TokenClaims): A {
  if (!account || account.revoked || account.user.disabledAt || account.user.tokenVersion !== token.ver) {
    throw new ApiError('invalid_token')
  }
  return account
}

/** Served from `cache` for `ACCOUNT_CACHE_MS` after D1 accepted it; a refused read is never kept. */
async function activeRead<A extends { user: Account; revoked: number }>(
  c: Context<AppEnv>,
  token: TokenClaims,
  cache: { store: AccountCache<A>; kind: 'account' | 'org'; key: AccountKey },
  read: () => Promise<A | undefined>,
): Promise<A> {
  const lifetimeMs = c.var.settings.accountCacheMs
  if (lifetimeMs === 0) return activeAccount(await read(), token)
  const key = accountKey(cache.kind, cache.key)
  const hit = cache.store.get(key, lifetimeMs)
  if (hit !== undefined) return activeAccount(hit, token)
  const account = activeAccount(await read(), token)
  cache.store.set(key, cache.key, account)
  return account
}

/** One D1 query by primary key, or its cached answer; `c.var.user`'s role, not the token's, decides 403s. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  const token = await verifiedClaims(c)
  const key = { userId: token.sub, jti: token.jti, familyId: token.fam }
  const account = await activeRead(c, token, { store: accountCaches.accounts, kind: 'account', key }, () =>
    findAccount(c.var.db, key),
  )
  c.set('user', account.user)
  c.set('token', token)
  await next()
})

const orgPathSchema = z.object({ orgId: idParamSchema, userId: idParamSchema.optional() })

/** One query for account (or API key), organization and member; a malformed id is left to the route's validator (400). */
const requireOrgAccess = (action: OrgAction, { apiKeys }: { apiKeys: boolean }) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const credential = presentedCredential(c)
    const parsed = orgPathSchema.safeParse(c.req.param())
    const path = parsed.success ? { orgId: parsed.data.orgId, memberId: parsed.data.userId } : undefined
    if (apiKeys && looksLikeApiKey(credential)) {
      await apiKeyAccess(c, credential, action, path)
      return next()
    }
    const token = await verifiedClaims(c, credential)
    const key = {
      userId: token.sub,
      jti: token.jti,
      familyId: token.fam,
      orgId: path?.orgId ?? '',
      memberId: path?.memberId,
    }
    const { user, org, role, member } = await activeRead(
      c,
      token,
      { store: accountCaches.inOrg, kind: 'org', key },
      () => findAccountInOrg(c.var.db, key),
    )
    c.set('user', user)
    c.set('token', token)
    if (path) {
      const access = orgAccess({ globalRole: user.role, orgExists: org !== null, orgRole: role }, action)
      if (org === null || access === 'hidden') throw new ApiError('org_not_found')
      if (access === 'forbidden') throw new ApiError('insufficient_permissions')
      c.set('orgScope', {
        org,
        member,
        actor: { userId: user.id, apiKeyId: null, globalRole: user.role, orgRole: role },
      })
    }
    await next()
  })

/** After `requireAuth`, which loads the current role. */
const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.var.user.role !== role) throw new ApiError('insufficient_permissions')
    await next()
  })

export const BEARER_SCHEME = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } as const

export const API_KEY_SCHEME = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'osk_…',
  description:
    "An organization API key (`osk_<publicId>_<secret>`), sent as `Authorization: Bearer osk_…`: accepted only on that organization's operations that list it, with the key's role",
} as const

const bearerAuth = [{ bearerAuth: [] }]
const bearerOrApiKey = [{ bearerAuth: [] }, { apiKeyAuth: [] }]

/** For `apiRoute`: the documented `security`, the middleware enforcing it, and the codes it responds with. */
export type Guard = {
  security: Partial<Record<'bearerAuth' | 'apiKeyAuth', never[]>>[]
  middleware: MiddlewareHandler<AppEnv>[]
  errors: readonly ErrorCode[]
}

export const everyone = { security: [], middleware: [], errors: [] } satisfies Guard

/** URLs are kept by proxies, histories and logs: refused so that no client comes to send a credential in one. */
const refuseQuery = createMiddleware<AppEnv>(async (c, next) => {
  if (new URL(c.req.url).search !== '') throw new ApiError('query_not_allowed')
  await next()
})

export const bodyCredential = {
  security: [],
  middleware: [refuseQuery],
  errors: ['query_not_allowed'] as const,
} satisfies Guard

// 403 too: an API key is refused wherever it is not accepted.
const bearerErrors = ['missing_authorization', 'invalid_token', 'token_expired', 'insufficient_permissions'] as const

export const signedIn = { security: bearerAuth, middleware: [requireAuth], errors: bearerErrors } satisfies Guard

const orgErrors = [...bearerErrors, 'org_not_found'] as const

/**
 * A non-member gets 404, as if the organization did not exist. With `apiKeys`, the organization's own keys are
 * accepted too, acting with their role; a client that sends too many wrong keys gets 429.
 */
export const inOrg = <K extends boolean = false>(action: OrgAction, { apiKeys }: { apiKeys?: K } = {}) =>
  ({
    security: apiKeys ? bearerOrApiKey : bearerAuth,
    middleware: [requireOrgAccess(action, { apiKeys: apiKeys === true })],
    errors: (apiKeys ? [...orgErrors, 'too_many_attempts'] : orgErrors) as K extends true
      ? [...typeof orgErrors, 'too_many_attempts']
      : typeof orgErrors,
  }) satisfies Guard

export const adminsOnly = {
  security: bearerAuth,
  middleware: [requireAuth, requireRole('admin')],
  errors: bearerErrors,
} satisfies Guard
