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

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

export type ClientOptions = {
  /** Where the API is served, without a trailing slash: `https://api.example.com`. */
  baseUrl: string
  /** Where tokens are kept; memory by default. */
  storage?: TokenStorage
  /** The `fetch` to send requests with; the global one by default. */
  fetch?: Fetch
  /** The time in milliseconds, `Date.now` by default: it decides when a token is about to expire. */
  now?: () => number
  apiKey?: never
}

export type ApiKeyClientOptions = {
  /** Where the API is served, without a trailing slash: `https://api.example.com`. */
  baseUrl: string
  /** An organization's API key (`osk_…`), sent with every request; never refreshed, never stored. */
  apiKey: string
  /** The `fetch` to send requests with; the global one by default. */
  fetch?: Fetch
  storage?: never
  now?: never
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
 * What `createClient({ apiKey })` returns: every route, sending the key. A key cannot log in or
 * out, so the client has no session actions.
 */
export type ApiKeyClient = ApiRoutes

const SESSION_ACTIONS = new Set<string | symbol>(['login', 'logout', 'logoutAll'])

/** The routes with `apiKey` on every request; the session actions, for untyped callers, reject. */
function createApiKeyClient({ baseUrl, apiKey, fetch = globalThis.fetch }: ApiKeyClientOptions): ApiKeyClient {
  if (!apiKey.startsWith('osk_')) throw new TypeError('apiKey must be an organization API key, osk_…')
  const send = keepingBookmark(fetch === globalThis.fetch ? fetch.bind(globalThis) : fetch)
  const withKey: Fetch = (input, init) => {
    const request = new Request(input, init)
    request.headers.set('Authorization', `Bearer ${apiKey}`)
    return send(request)
  }
  const routes = hc<Api>(baseUrl, { fetch: withKey }).api
  const refuse = (action: string) => () =>
    Promise.reject(new Error(`${action} is for a user's client: a client made with an API key sends only the key`))
  return new Proxy(routes, {
    get: (target, key) => (SESSION_ACTIONS.has(key) ? refuse(String(key)) : Reflect.get(target, key)),
  })
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
 *
 * With `apiKey` instead, for a CI system or another server, every request sends that key, which
 * acts on its organization alone; nothing is refreshed or stored, and there is no login or logout.
 *
 * @example
 * const ci = createClient({ baseUrl: 'https://api.example.com', apiKey: secrets.orgstackApiKey })
 * const org = await ci.orgs[':orgId'].$get({ param: { orgId } })
 */
export function createClient(options: ApiKeyClientOptions): ApiKeyClient
export function createClient(options: ClientOptions): Client
export function createClient(options: ClientOptions | ApiKeyClientOptions): Client | ApiKeyClient {
  if (options.apiKey !== undefined) return createApiKeyClient(options)
  return createSessionClient(options)
}

function createSessionClient({
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
