import { ApiClientError, errorCodeOf, errorFrom } from './errors.js'
import type { TokenStorage, Tokens } from './storage.js'

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

/** The answers that mean "this access token is no longer good", and only those: a refresh may help. */
const STALE_TOKEN_CODES = new Set(['token_expired', 'invalid_token'])

/** How long before its `exp` an access token is refreshed, so that a request does not meet the 401. */
const REFRESH_AHEAD_MS = 30_000

/**
 * The tokens of one signed-in client and a `fetch` that sends them. Within 30 s of the access
 * token's `exp`, or when an answer says it expired or is invalid, one refresh is made for every
 * request that needs it, however many at once; a refused request is retried once.
 *
 * @example
 * const session = createSession({ baseUrl, storage: memoryStorage(), fetch, now: Date.now })
 * const res = await session.fetch(`${baseUrl}/api/auth/me`)
 */
export function createSession({
  baseUrl,
  storage,
  fetch,
  now,
}: {
  baseUrl: string
  storage: TokenStorage
  fetch: Fetch
  now: () => number
}) {
  let refreshing: Promise<Tokens> | null = null

  /** Exchanges the stored refresh token once; every caller of the same round shares its outcome. */
  async function refreshFrom(tokens: Tokens): Promise<Tokens> {
    const res = await fetch(`${baseUrl}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refreshToken: tokens.refreshToken }),
    })
    if (!res.ok) {
      const error = await errorFrom(res)
      // Refused for good: this login is over. Anything else (429, 503, a network error) leaves
      // the refresh token unspent, so the session is kept for a later try.
      if (error.code === 'invalid_refresh_token') await storage.clear()
      throw error
    }
    const { token, refreshToken } = (await res.json()) as Tokens
    const next = { token, refreshToken }
    await storage.set(next)
    return next
  }

  /**
   * The tokens to retry with after `stale` was refused: the ones a refresh already stored, or
   * those of the one refresh under way, started here if none is. Null once signed out.
   */
  async function freshTokens(stale: string): Promise<Tokens | null> {
    if (refreshing) return refreshing
    const current = await storage.get()
    if (current === null) return null
    // Refreshed since this request left: the rotated refresh token is already spent.
    if (current.token !== stale) return current
    if (refreshing) return refreshing
    refreshing = refreshFrom(current).finally(() => {
      refreshing = null
    })
    return refreshing
  }

  /**
   * The tokens to send: the stored ones, refreshed first when the access token is about to
   * expire. A refresh that fails for a while (429, 503, the network) leaves a token that has
   * not expired yet in use; a refused one, or an expired token, rejects as on a 401.
   */
  async function tokensToSend(): Promise<Tokens | null> {
    const tokens = await storage.get()
    const expiresAt = tokens === null ? undefined : expiryOf(tokens.token)
    if (tokens === null || expiresAt === undefined || expiresAt - now() > REFRESH_AHEAD_MS) return tokens
    try {
      return await freshTokens(tokens.token)
    } catch (error) {
      if (expiresAt <= now() || (error instanceof ApiClientError && error.code === 'invalid_refresh_token')) throw error
      return tokens
    }
  }

  /** `fetch` with the stored access token; refreshes before its `exp`, and retries once on a stale one. */
  async function authorizedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init)
    // A retry needs the body again: kept before the first send reads it.
    const retry = request.clone()
    const tokens = await tokensToSend()
    if (tokens === null) return fetch(request)
    const res = await fetch(withToken(request, tokens.token))
    if (res.status !== 401 || !STALE_TOKEN_CODES.has((await errorCodeOf(res)) ?? '')) return res
    const fresh = await freshTokens(tokens.token)
    return fresh === null ? res : fetch(withToken(retry, fresh.token))
  }

  return { fetch: authorizedFetch }
}

/** When a JWT expires, in milliseconds, read without verifying it: only the server trusts it. */
function expiryOf(token: string): number | undefined {
  try {
    const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/')
    const { exp } = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')))
    return typeof exp === 'number' ? exp * 1000 : undefined
  } catch {
    return undefined
  }
}

function withToken(request: Request, token: string) {
  const headers = new Headers(request.headers)
  headers.set('Authorization', `Bearer ${token}`)
  return new Request(request, { headers })
}
