import type { Hono } from 'hono'
import { hc } from 'hono/client'
import type { BlankEnv } from 'hono/types'
import type { ApiSchema } from './api-types.js'
import { keepingBookmark } from './bookmark.js'
import { errorFrom } from './errors.js'
import { createSession } from './session.js'
import { memoryStorage, type TokenStorage } from './storage.js'

type Api = Hono<BlankEnv, ApiSchema>

/** Every route under `/api`, typed by the Worker's own: paths, bodies and answers by status. */
export type ApiRoutes = ReturnType<typeof hc<Api>>['api']

export type ClientOptions = {
  /** Where the API is served, without a trailing slash: `https://api.example.com`. */
  baseUrl: string
  /** Where tokens are kept; memory by default. */
  storage?: TokenStorage
  /** The `fetch` to send requests with; the global one by default. */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
  /** The time in milliseconds, `Date.now` by default: it decides when a token is about to expire. */
  now?: () => number
}

/**
 * What `createClient` returns: every route, sending the stored token (`client.auth.me.$get()`
 * is `GET /api/auth/me`), and the session's actions. No route under `/api` has their names.
 */
export type Client = ApiRoutes & SessionActions

type SessionActions = {
  /**
   * Logs in, sending the stored device token, and stores the tokens and the device token
   * answered; throws `ApiClientError` (`invalid_credentials`, `too_many_attempts`…).
   */
  login(username: string, password: string): Promise<{ userId: string; username: string }>
  /** Ends this login (its access and refresh tokens) and forgets the tokens. */
  logout(): Promise<void>
  /** Ends every login of the account, on every device, and forgets the tokens. */
  logoutAll(): Promise<void>
}

/**
 * A client of the OrgStack API: typed routes that send the stored token and refresh it once
 * when it is about to expire or has expired, however many requests need it at the same time,
 * plus login and logout. Each request sends the latest `X-D1-Bookmark` answered, so the client
 * reads its own writes.
 *
 * @example
 * const orgstack = createClient({ baseUrl: 'https://api.example.com' })
 * await orgstack.login('ada', 'correct horse battery staple')
 * const me = await orgstack.auth.me.$get()
 */
export function createClient({
  baseUrl,
  storage = memoryStorage(),
  fetch = globalThis.fetch,
  now = Date.now,
}: ClientOptions): Client {
  // Bound: some runtimes refuse a `fetch` called with another `this`.
  const send = keepingBookmark(fetch === globalThis.fetch ? fetch.bind(globalThis) : fetch)
  const session = createSession({ baseUrl, storage, fetch: send, now })
  const routes = hc<Api>(baseUrl, { fetch: session.fetch }).api
  // Login goes around the session: a wrong password is an answer, never a reason to refresh.
  const unauthenticated = hc<Api>(baseUrl, { fetch: send }).api

  /** Ends this login on the server (`path`), then forgets its tokens whatever the answer. */
  async function signOut(path: 'logout' | 'logout-all') {
    try {
      const res = await session.fetch(`${baseUrl}/api/auth/${path}`, { method: 'POST' })
      if (!res.ok) throw await errorFrom(res)
    } finally {
      await storage.clear()
    }
  }

  const actions: SessionActions = {
    async login(username: string, password: string) {
      // This device's token, if an earlier login got one: a lockout aimed at others then spares it.
      const deviceToken = (await storage.getDevice?.()) ?? undefined
      const res = await unauthenticated.auth.login.$post({ json: { username, password, deviceToken } })
      if (res.status !== 200) throw await errorFrom(res)
      const answer = await res.json()
      await storage.set({ token: answer.token, refreshToken: answer.refreshToken })
      await storage.setDevice?.(answer.deviceToken)
      return { userId: answer.userId, username: answer.username }
    },
    logout: () => signOut('logout'),
    logoutAll: () => signOut('logout-all'),
  }
  // hc's routes are a Proxy that takes every name for a path segment: the actions are served first.
  return new Proxy(routes, {
    get: (target, key) =>
      Object.hasOwn(actions, key) ? actions[key as keyof SessionActions] : Reflect.get(target, key),
  }) as Client
}
