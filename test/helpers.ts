import { env } from 'cloudflare:workers'
import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { hc } from 'hono/client'
import { sign } from 'hono/jwt'
import type { JWTPayload } from 'hono/utils/jwt/types'
import { expect, onTestFinished, vi } from 'vitest'
import type { AppType } from '../src/app'
import { authEvents, users } from '../src/data/schema'
import { settingsOf } from '../src/settings'
import { buildUser, type NewUserInput } from '../src/users/new-user'
import { ManagedUserSchema } from '../src/users/public-user'
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

/** A request to the Worker under test, through its own `fetch`; the answer is checked against the OpenAPI document. */
export const api = (path: string, init?: RequestInit) => fetchWorker(`https://orgstack.test${path}`, init)

/** The Worker's own `fetch`, checked against the OpenAPI document: for clients that take a `fetch` (client/). */
export const workerFetch: typeof fetch = fetchWorker

export const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  api(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) })

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
  return apiWithEnv({ REFRESH_REUSE_INTERVAL_SECONDS: '0' }, '/api/auth/refresh', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refreshToken }),
  })
}

/** The one answer to every refused refresh token, whatever the reason. */
export async function expectRefreshRefused(res: { status: number; headers: Headers; json(): Promise<unknown> }) {
  expect(res.status).toBe(401)
  expect(await res.json()).toEqual({ error: 'Invalid or expired token', code: 'invalid_refresh_token' })
  expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer realm="orgstack", error="invalid_token"/)
}

/** A fresh user of `role` and a token for them. */
export async function signedIn(role: NewUserInput['role'] = 'member') {
  const user = await createUser({ role })
  const { token } = await login(user.username)
  return { user, token }
}

/** Decodes a JWT's header and payload without verifying it. */
export function decodeJwt(token: string) {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/'))))
  return { header, payload }
}

/**
 * A request to the same Worker with some bindings replaced, as a deployment might set them, once
 * what it deferred is done; the answer is checked against the OpenAPI document.
 */
export const apiWithEnv = (overrides: Partial<Env>, path: string, init?: RequestInit, scheme = 'https') =>
  fetchWorkerWith(overrides, `${scheme}://orgstack.test${path}`, init)

export const patchJson = (path: string, body: unknown, token: string) =>
  api(path, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })

export const postAuthorized = (path: string, body: unknown, token: string) =>
  postJson(path, body, { Authorization: `Bearer ${token}` })

/** The audit events about `userId`, oldest first, straight from D1. */
export const eventsAbout = (userId: string) =>
  drizzle(env.DB).select().from(authEvents).where(eq(authEvents.subjectUserId, userId)).orderBy(authEvents.id).all()

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

const base64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** An HS256 JWS of exactly this header and payload: for headers Hono's `sign` would not write. */
export async function signCompact(header: object, payload: object, secret: string) {
  const encoder = new TextEncoder()
  const signingInput = `${base64Url(encoder.encode(JSON.stringify(header)))}.${base64Url(encoder.encode(JSON.stringify(payload)))}`
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  const signature = await crypto.subtle.sign('HMAC', key, encoder.encode(signingInput))
  return `${signingInput}.${base64Url(new Uint8Array(signature))}`
}

/** A response's headers but the request id, which differs for every request by design. */
export const headersOf = (res: Response) => [...res.headers].filter(([name]) => name !== 'x-request-id')

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
