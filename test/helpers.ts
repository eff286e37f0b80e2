import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { hc } from 'hono/client'
import { sign } from 'hono/jwt'
import type { JWTPayload } from 'hono/utils/jwt/types'
import { expect, onTestFinished, vi } from 'vitest'
import type { AppType } from '../src/app'
import { auditEvents, users } from '../src/data/schema'
import { base64Url } from '../src/lib/base64url'
import { ManagedUserSchema } from '../src/routes/users/schemas'
import { settingsOf } from '../src/settings'
import { buildUser, type NewUserInput } from '../src/users/new-user'
import { fetchWorker, fetchWorkerWith } from './contract/worker'

let sequence = 0

/** A username no other test uses: D1 is shared by the test files of a Vitest worker. */
export const uniqueName = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}`

export const DEFAULT_PASSWORD = 'correct horse battery staple'

/** Inserts a user straight into D1, hashed by the Worker's own code. */
export async function createUser(overrides: Partial<NewUserInput> = {}) {
  const username = overrides.username ?? uniqueName()
  const input: NewUserInput = {
    username,
    email: `${username}@example.com`,
    password: DEFAULT_PASSWORD,
    role: 'member',
    ...overrides,
  }
  const row = await buildUser(input, (await settingsOf(env)).passwords.hashing)
  await drizzle(env.DB).insert(users).values(row)
  return { ...input, id: row.id, email: row.email }
}

/** The Worker's own `fetch`, checked against the OpenAPI document: for clients that take a `fetch` (client/). */
export const workerFetch: typeof fetch = fetchWorker

export type RequestOptions = {
  method?: string
  /** A body sent as JSON, with its `Content-Type`. */
  json?: unknown
  body?: BodyInit | null
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** Sent last, so they win over what `json` and `token` set. */
  headers?: HeadersInit
  /** Bindings to replace; when given, the answer waits for what the Worker deferred (`waitUntil`). */
  env?: Partial<Env>
  scheme?: 'http' | 'https'
}

/**
 * A raw request to the Worker, for what the typed `client` cannot send: malformed bodies, odd
 * headers, methods or schemes, replaced bindings. The answer is checked against the OpenAPI document.
 */
export function request(path: string, options: RequestOptions = {}) {
  const { method, json, body, token, headers, env: overrides, scheme = 'https' } = options
  const sent = new Headers()
  if (json !== undefined) sent.set('Content-Type', 'application/json')
  if (token !== undefined) sent.set('Authorization', `Bearer ${token}`)
  for (const [name, value] of new Headers(headers)) sent.set(name, value)
  const init = {
    method,
    headers: sent,
    body: json === undefined ? body : JSON.stringify(json),
    // A streamed body needs `duplex`, which RequestInit's types lack.
    ...(body instanceof ReadableStream && { duplex: 'half' }),
  }
  const url = `${scheme}://orgstack.test${path}`
  return overrides ? fetchWorkerWith(overrides, url, init) : fetchWorker(url, init)
}

/** What `request` and the typed `client` both answer: for checks that take either. */
export type Answer = { status: number; headers: Headers; json(): Promise<unknown> }

/** The `Authorization` header of `token`, as the typed `client` takes it. */
export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } })

/** The Worker's API as `AppType` types it (hono/client): paths, bodies and answers checked by the compiler. */
export const client = hc<AppType>('https://orgstack.test', {
  fetch: fetchWorker,
})

/** The body of a 200 answer, typed by the route that gave it; fails the test on any other status. */
export async function okBody<R extends { status: number; json(): Promise<unknown> }>(res: R) {
  expect(res.status).toBe(200)
  return (await res.json()) as Awaited<ReturnType<Extract<R, { status: 200 }>['json']>>
}

export async function login(username: string, password = DEFAULT_PASSWORD) {
  const res = await client.api.auth.login.$post({ json: { username, password } })
  if (res.status !== 200) throw new Error(`login failed with ${res.status}: ${await res.text()}`)
  return res.json()
}

/** `POST /api/auth/refresh` with `refreshToken`, through the typed client. */
export const refreshOf = (refreshToken: string) => client.api.auth.refresh.$post({ json: { refreshToken } })

/**
 * `refreshToken` presented again with the reuse interval set to 0, so that a rotated token is a
 * replay at once: sent a few milliseconds on, as a rotation in the same millisecond is still a race.
 */
export async function replayRefresh(refreshToken: string) {
  await new Promise((resolve) => setTimeout(resolve, 3))
  return request('/api/auth/refresh', {
    method: 'POST',
    json: { refreshToken },
    env: { REFRESH_REUSE_INTERVAL_SECONDS: '0' },
  })
}

/** The one answer to every refused refresh token, whatever the reason. */
export async function expectRefreshRefused(res: Answer) {
  expect(res.status).toBe(401)
  expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_refresh_token' })
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="orgstack", error="invalid_token"/)
}

/** A fresh user of `role` and a token for them. */
export async function newSession(role: NewUserInput['role'] = 'member') {
  const user = await createUser({ role })
  const { token } = await login(user.username)
  return { user, token }
}

export type Session = Awaited<ReturnType<typeof newSession>>

/** The audit events about `userId`, oldest first, straight from D1. */
export const eventsAbout = (userId: string) =>
  drizzle(env.DB).select().from(auditEvents).where(eq(auditEvents.subjectUserId, userId)).orderBy(auditEvents.id).all()

/**
 * Signs `claims` as the Worker would (the current key's `kid` in the header), or
 * with another `secret`, algorithm or `kid`: for tokens the Worker must refuse.
 */
export async function forgeToken(
  claims: Record<string, unknown>,
  { secret = env.JWT_SECRET, alg = 'HS256', kid }: { secret?: string; alg?: 'HS256' | 'HS512'; kid?: string } = {},
) {
  const jwk = {
    kty: 'oct',
    k: base64Url(new TextEncoder().encode(secret)),
    alg,
    kid: kid ?? (await settingsOf(env)).tokens.jwk.kid,
  }
  return sign(claims as JWTPayload, jwk, alg)
}

/** An HS256 JWS of exactly this header and payload: for headers Hono's `sign` would not write. */
export async function signCompact(header: object, payload: object, secret: string) {
  const encoder = new TextEncoder()
  const signingInput = `${base64Url(encoder.encode(JSON.stringify(header)))}.${base64Url(encoder.encode(JSON.stringify(payload)))}`
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(signingInput))
  return `${signingInput}.${base64Url(signature)}`
}

/** Differ between two requests by design: the request id, and the bookmark, which any write in between advances. */
const PER_REQUEST_HEADERS = new Set(['x-request-id', 'x-d1-bookmark'])

/** A response's headers but those that differ for every request. */
export const headersOf = (res: { headers: Headers }) =>
  [...res.headers].filter(([name]) => !PER_REQUEST_HEADERS.has(name))

/** The fields login and a password change answer, sorted: the guide's four, the refresh token's and the device token's. */
export const LOGIN_ANSWER_KEYS = [
  'deviceExpiresIn',
  'deviceToken',
  'expiresIn',
  'refreshExpiresIn',
  'refreshToken',
  'token',
  'userId',
  'username',
]

/** The fields of a user as admins see them, sorted: never any password material. */
export const MANAGED_USER_KEYS = Object.keys(ManagedUserSchema.shape).sort()

/**
 * Silences one level of the console for the rest of the current test, recording what the
 * Worker writes there; restored when the test finishes, passed or failed.
 */
export function consoleSpy(level: 'log' | 'warn' | 'error' = 'error') {
  const spy = vi.spyOn(console, level).mockImplementation(() => {})
  onTestFinished(() => spy.mockRestore())
  return spy
}

/** Everything the Worker writes to the console during `run`, at every level. */
export async function consoleDuring(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = []
  const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    }),
  )
  try {
    await run()
  } finally {
    for (const spy of spies) spy.mockRestore()
  }
  return lines
}
