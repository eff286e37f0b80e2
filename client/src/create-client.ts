import { hc } from 'hono/client'
import type { AppType } from '../../src/app.js'
import { errorFrom } from './errors.js'
import { createSession } from './session.js'
import { memoryStorage, type TokenStorage } from './storage.js'

/** Every route of the Worker, typed by its own `AppType`: paths, bodies and answers by status. */
export type ApiRoutes = ReturnType<typeof hc<AppType>>

export type ClientOptions = {
  /** Where the API is served, without a trailing slash: `https://api.example.com`. */
  baseUrl: string
  /** Where tokens are kept; memory by default. */
  storage?: TokenStorage
  /** The `fetch` to send requests with; the global one by default. */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>
}

/** What `createClient` returns. */
export type Client = {
  /** Every route, sending the stored token; `api.api.auth.me.$get()` is `GET /api/auth/me`. */
  api: ApiRoutes
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
 * when it expires, however many requests fail at the same time, plus login and logout.
 *
 * @example
 * const orgstack = createClient({ baseUrl: 'https://api.example.com' })
 * await orgstack.login('ada', 'correct horse battery staple')
 * const me = await orgstack.api.api.auth.me.$get()
 */
export function createClient({ baseUrl, storage = memoryStorage(), fetch = globalThis.fetch }: ClientOptions): Client {
  // Bound: some runtimes refuse a `fetch` called with another `this`.
  const send = fetch === globalThis.fetch ? fetch.bind(globalThis) : fetch
  const session = createSession({ baseUrl, storage, fetch: send })
  const api: ApiRoutes = hc<AppType>(baseUrl, { fetch: session.fetch })
  // Login goes around the session: a wrong password is an answer, never a reason to refresh.
  const unauthenticated: ApiRoutes = hc<AppType>(baseUrl, { fetch: send })

  /** Ends this login on the server (`path`), then forgets its tokens whatever the answer. */
  async function signOut(path: 'logout' | 'logout-all') {
    try {
      const res = await session.fetch(`${baseUrl}/api/auth/${path}`, { method: 'POST' })
      if (!res.ok) throw await errorFrom(res)
    } finally {
      await storage.clear()
    }
  }

  return {
    api,
    async login(username: string, password: string) {
      // This device's token, if an earlier login got one: a lockout aimed at others then spares it.
      const deviceToken = (await storage.getDevice?.()) ?? undefined
      const res = await unauthenticated.api.auth.login.$post({ json: { username, password, deviceToken } })
      if (res.status !== 200) throw await errorFrom(res)
      const answer = await res.json()
      await storage.set({ token: answer.token, refreshToken: answer.refreshToken })
      await storage.setDevice?.(answer.deviceToken)
      return { userId: answer.userId, username: answer.username }
    },
    logout: () => signOut('logout'),
    logoutAll: () => signOut('logout-all'),
  }
}
