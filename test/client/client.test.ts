import { env } from 'cloudflare:workers'
import { decode } from 'hono/jwt'
import { describe, expect, it, vi } from 'vitest'
import { ApiClientError, createClient, errorFrom, memoryStorage, type TokenStorage } from '../../client/src'
import { fetchWorkerWith } from '../contract/worker'
import { flakyD1 } from '../flaky-d1'
import {
  bearer,
  client,
  createUser,
  DEFAULT_PASSWORD,
  forgeToken,
  newSession,
  okBody,
  type RequestOptions,
  request,
  workerFetch,
} from '../helpers'
import { createOrg } from '../orgs/org-helpers'

const BASE_URL = 'https://orgstack.test'

/** How a test stands between the client and the Worker: `send` is the request as made. */
type Around = (path: string, send: () => Promise<Response>, init?: RequestInit) => Promise<Response>

/**
 * A client of the Worker under test whose every request is counted by path, and goes through
 * `around`; its clock is `now`.
 */
function countedClient(
  storage: TokenStorage = memoryStorage(),
  around: Around = (_path, send) => send(),
  now: () => number = Date.now,
) {
  const sent: string[] = []
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(input instanceof Request ? input.url : input).pathname
    sent.push(path)
    return around(path, () => workerFetch(input, init), init)
  }
  const refreshes = () => sent.filter((path) => path === '/api/auth/refresh').length
  return { orgstack: createClient({ baseUrl: BASE_URL, storage, fetch, now }), storage, refreshes, sent }
}

/** A signed-in client whose clock reads `secondsLeft` before its access token's `exp`. */
async function sessionNearExpiry(secondsLeft: number, around?: Around) {
  const user = await createUser()
  let now = Date.now
  const counted = countedClient(memoryStorage(), around, () => now())
  await counted.orgstack.login(user.username, DEFAULT_PASSWORD)
  const tokens = await counted.storage.get()
  if (tokens === null) throw new Error('login stored no tokens')
  const { exp } = decode(tokens.token).payload
  if (typeof exp !== 'number') throw new Error('the access token has no exp')
  now = () => (exp - secondsLeft) * 1000
  return { user, tokens, ...counted }
}

/**
 * A signed-in client whose access token is swapped for a genuinely expired one of the same login,
 * and whose clock is three minutes behind the Worker's: it learns of the expiry from a 401.
 */
async function expiredSession(around?: Around) {
  const user = await createUser()
  const counted = countedClient(memoryStorage(), around, () => Date.now() - 180_000)
  await counted.orgstack.login(user.username, DEFAULT_PASSWORD)
  const tokens = await counted.storage.get()
  if (tokens === null) throw new Error('login stored no tokens')
  const { payload } = decode(tokens.token)
  const now = Math.floor(Date.now() / 1000)
  const expired = await forgeToken({ ...payload, iat: now - 120, nbf: now - 120, exp: now - 60 })
  await counted.storage.set({ ...tokens, token: expired })
  return { user, tokens, expired, ...counted }
}

describe('the client', () => {
  it('logs in and calls a protected route with the stored token', async () => {
    const user = await createUser()
    const { orgstack, refreshes } = countedClient()
    expect(await orgstack.login(user.username, DEFAULT_PASSWORD)).toEqual({ userId: user.id, username: user.username })
    expect((await okBody(await orgstack.auth.me.$get())).username).toBe(user.username)
    expect(refreshes()).toBe(0)
  })

  it('creates an organization and lists it through the typed routes, after refreshing an expired token', async () => {
    const { orgstack, refreshes } = await expiredSession()
    const slug = `client-${crypto.randomUUID().slice(0, 8)}`
    const created = await orgstack.orgs.$post({ json: { slug, name: 'Client Co' } })
    expect(created.status).toBe(201)
    const page = await okBody(await orgstack.orgs.$get({ query: {} }))
    expect(page.organizations).toEqual([expect.objectContaining({ slug, name: 'Client Co', role: 'owner' })])
    expect(refreshes()).toBe(1)
  })

  it('invites through the typed routes, and the invitee lists and accepts with their own client', async () => {
    const invitee = await createUser()
    const owner = await createUser()
    const { orgstack } = countedClient()
    await orgstack.login(owner.username, DEFAULT_PASSWORD)
    const created = await orgstack.orgs.$post({
      json: { slug: `client-${crypto.randomUUID().slice(0, 8)}`, name: 'Client Co' },
    })
    if (created.status !== 201) throw new Error(`create answered ${created.status}`)
    const { orgId } = await created.json()
    const sent = await orgstack.orgs[':orgId'].invitations.$post({
      param: { orgId },
      json: { user: invitee.email, role: 'admin' },
    })
    expect(sent.status).toBe(201)

    const { orgstack: theirs } = countedClient()
    await theirs.login(invitee.username, DEFAULT_PASSWORD)
    const { invitations } = await okBody(await theirs.invitations.$get({ query: {} }))
    expect(invitations).toEqual([expect.objectContaining({ organization: expect.objectContaining({ orgId }) })])
    const joined = await theirs.invitations[':invitationId'].accept.$post({
      param: { invitationId: invitations[0].invitationId },
    })
    expect(await okBody(joined)).toMatchObject({ orgId, role: 'admin' })
  })

  it('keeps the device token across a logout and sends it with the next login, which keeps it trusted', async () => {
    const user = await createUser()
    const bodies: string[] = []
    const storage = memoryStorage()
    const { orgstack } = countedClient(storage, async (path, send, init) => {
      if (path === '/api/auth/login') bodies.push(String(init?.body))
      return send()
    })
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    const device = await storage.getDevice?.()
    expect(device).toEqual(expect.any(String))
    await orgstack.logout()
    expect(await storage.get()).toBeNull()
    expect(await storage.getDevice?.()).toBe(device)

    await orgstack.login(user.username, DEFAULT_PASSWORD)
    expect(JSON.parse(bodies[0])).not.toHaveProperty('deviceToken')
    expect(JSON.parse(bodies[1])).toMatchObject({ deviceToken: device })
    // Trusted: the same token answered back, not a new device.
    expect(await storage.getDevice?.()).toBe(device)
  })
})

describe('the client, refreshing an expired token', () => {
  it('refreshes once for 20 requests failing at once with an expired token, and retries each', async () => {
    const { user, expired, orgstack, storage, refreshes } = await expiredSession()
    const stale = await client.api.auth.me.$get({}, bearer(expired))
    expect(await stale.json()).toMatchObject({ code: 'token_expired' })

    const answers = await Promise.all(Array.from({ length: 20 }, () => orgstack.auth.me.$get()))
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200))
    expect(refreshes()).toBe(1)
    // The successor was not taken for a replay: the login lives on, and refreshes again.
    const held = await storage.get()
    expect(held?.token).not.toBe(expired)
    expect((await okBody(await orgstack.auth.me.$get())).username).toBe(user.username)
  })

  it('retries a request refused after the refresh finished with its successor, not another refresh', async () => {
    let release = () => {}
    const released = new Promise<void>((resolve) => {
      release = resolve
    })
    let sentToMe = 0
    // The first call's 401 is held back until the other call, refreshed, sends its retry.
    const { orgstack, refreshes } = await expiredSession(async (path, send) => {
      if (path !== '/api/auth/me') return send()
      const nth = sentToMe++
      if (nth === 2) release()
      const res = await send()
      if (nth === 0) await released
      return res
    })
    const answers = await Promise.all([orgstack.auth.me.$get(), orgstack.auth.me.$get()])
    expect(answers.map((res) => res.status)).toEqual([200, 200])
    expect(sentToMe).toBe(4)
    expect(refreshes()).toBe(1)
  })

  it('ends the session once when the refresh is refused, rejecting every waiting call alike', async () => {
    const { tokens, orgstack, storage, refreshes } = await expiredSession()
    // Logged out elsewhere: the refresh token is revoked with the login.
    expect((await client.api.auth.logout.$post({}, bearer(tokens.token))).status).toBe(204)

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => orgstack.auth.me.$get()))
    expect(refreshes()).toBe(1)
    const reasons = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.status))
    expect(new Set(reasons).size).toBe(1)
    expect(reasons[0]).toBeInstanceOf(ApiClientError)
    expect(reasons[0]).toMatchObject({ status: 401, code: 'invalid_refresh_token' })
    const described = `${reasons[0]} ${reasons[0].stack} ${JSON.stringify(reasons[0])}`
    expect(described).not.toContain(tokens.refreshToken)
    expect(described).not.toContain(tokens.token)
    expect(await storage.get()).toBeNull()
    // Signed out: the next call goes without a token and is answered so, with no refresh.
    expect((await orgstack.auth.me.$get()).status).toBe(401)
    expect(refreshes()).toBe(1)
  })

  it('keeps the session when the refresh meets a D1 failure (503), and refreshes on a later call', async () => {
    let d1Fails = true
    const { tokens, orgstack, storage, refreshes } = await expiredSession((path, send, init) => {
      if (path !== '/api/auth/refresh' || !d1Fails) return send()
      return request(path, { ...init, env: { DB: flakyD1(env.DB).binding } })
    })
    const error = await orgstack.auth.me.$get().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiClientError)
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable', retryAfter: 5 })
    expect((await storage.get())?.refreshToken).toBe(tokens.refreshToken)

    d1Fails = false
    expect((await orgstack.auth.me.$get()).status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  it('keeps the session when the refresh is refused for its rate (429), and refreshes once Retry-After has passed', async () => {
    // Date frozen for the Worker too (it runs in this isolate): the minute passes when the test says.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const limits = { REFRESH_ROTATIONS_PER_MINUTE: '1' }
      const refreshWith = (path: string, init?: RequestOptions) => request(path, { ...init, env: limits })
      const { tokens, orgstack, storage, refreshes } = await expiredSession((path, send, init) =>
        path === '/api/auth/refresh' ? refreshWith(path, init) : send(),
      )
      // Another tab used the login's one refresh of the minute and stored its successor.
      const other = await refreshWith('/api/auth/refresh', {
        method: 'POST',
        json: { refreshToken: tokens.refreshToken },
      })
      const { refreshToken } = await other.json<{ refreshToken: string }>()
      const stored = await storage.get()
      if (stored === null) throw new Error('no tokens stored')
      await storage.set({ ...stored, refreshToken })

      const error = await orgstack.auth.me.$get().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(ApiClientError)
      expect(error).toMatchObject({ status: 429, code: 'too_many_refreshes', retryAfter: 60 })
      expect((await storage.get())?.refreshToken).toBe(refreshToken)

      vi.setSystemTime(Date.now() + 60_000)
      expect((await orgstack.auth.me.$get()).status).toBe(200)
      expect(refreshes()).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('the client, refreshing before the token expires', () => {
  it('refreshes once before sending when the token expires within 30 s, for 20 requests at once', async () => {
    const { tokens, orgstack, storage, refreshes, sent } = await sessionNearExpiry(10)
    const answers = await Promise.all(Array.from({ length: 20 }, () => orgstack.auth.me.$get()))
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200))
    expect(refreshes()).toBe(1)
    // Refreshed ahead: no request was sent with the old token and refused first.
    expect(sent.slice(0, 2)).toEqual(['/api/auth/login', '/api/auth/refresh'])
    expect(sent.filter((path) => path === '/api/auth/me')).toHaveLength(20)
    expect((await storage.get())?.token).not.toBe(tokens.token)
  })

  it('sends the token as it is while more than 30 s are left', async () => {
    const { tokens, orgstack, storage, refreshes } = await sessionNearExpiry(45)
    expect((await orgstack.auth.me.$get()).status).toBe(200)
    expect(refreshes()).toBe(0)
    expect(await storage.get()).toEqual(tokens)
  })

  it('sends the token it has when the early refresh meets a D1 failure (503), and keeps the session', async () => {
    const { tokens, orgstack, storage, refreshes } = await sessionNearExpiry(10, (path, send, init) =>
      path === '/api/auth/refresh' ? request(path, { ...init, env: { DB: flakyD1(env.DB).binding } }) : send(),
    )
    expect((await orgstack.auth.me.$get()).status).toBe(200)
    expect(refreshes()).toBe(1)
    expect(await storage.get()).toEqual(tokens)
  })
})

describe('the client, on errors and logout', () => {
  it('takes a wrong password at login for an answer, not for an expired session', async () => {
    const user = await createUser()
    const { orgstack, storage, refreshes } = countedClient()
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    const held = await storage.get()

    const error = await orgstack.login(user.username, 'not the password').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ApiClientError)
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Invalid username or password' })
    expect(refreshes()).toBe(0)
    expect(await storage.get()).toBe(held)
    expect((await orgstack.auth.me.$get()).status).toBe(200)
  })

  it('exposes Retry-After of a 429 as retryAfter', async () => {
    const user = await createUser()
    const { orgstack } = countedClient()
    let error: unknown
    for (let attempt = 0; attempt < 10 && !(error instanceof ApiClientError && error.status === 429); attempt++)
      error = await orgstack.login(user.username, 'not the password').catch((caught: unknown) => caught)
    expect(error).toMatchObject({ status: 429, code: 'too_many_attempts', message: 'Too many attempts' })
    expect((error as ApiClientError).retryAfter).toBeGreaterThan(0)
  })

  it('logs out: the token is refused afterwards and forgotten', async () => {
    const user = await createUser()
    const { orgstack, storage } = countedClient()
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    const held = await storage.get()
    await orgstack.logout()
    expect(await storage.get()).toBeNull()
    const res = await request('/api/auth/me', { token: held?.token })
    expect(res.status).toBe(401)
  })

  it('types answers by the Worker: one it never gives does not compile', async () => {
    const user = await createUser()
    const { orgstack } = countedClient()
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    const res = await orgstack.auth.me.$get()
    // @ts-expect-error `GET /api/auth/me` never answers 404.
    expect(res.status === 404).toBe(false)
    if (res.status === 200) {
      const me = await res.json()
      // @ts-expect-error a user's answer never carries a password hash.
      expect(me.passwordHash).toBeUndefined()
    }
  })
})

/**
 * An organization, an API key of it with `role` made through the API by its owner, and a client
 * with that key whose requests are kept, each answered once what the Worker deferred is written.
 */
async function apiKeyClient(role: 'admin' | 'member' = 'admin') {
  const owner = await newSession()
  const org = await createOrg(owner.token)
  const res = await client.api.orgs[':orgId']['api-keys'].$post(
    { param: { orgId: org.orgId }, json: { name: 'CI deploys', role } },
    bearer(owner.token),
  )
  if (res.status !== 201) expect.fail(`POST api-keys answered ${res.status}: ${await res.text()}`)
  const { key, keyId } = await res.json()
  const sent: Request[] = []
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    sent.push(request.clone())
    return fetchWorkerWith({}, request)
  }
  const ci = createClient({ baseUrl: BASE_URL, apiKey: key, fetch })
  return { owner, org, key, keyId, ci, sent }
}

describe('the client with an API key', () => {
  it('sends the key with every request, and reads its own write of its organization', async () => {
    const { org, key, ci, sent } = await apiKeyClient('admin')
    const renamed = await ci.orgs[':orgId'].$patch({ param: { orgId: org.orgId }, json: { name: 'Renamed by CI' } })
    expect(renamed.status).toBe(200)
    const read = await okBody(await ci.orgs[':orgId'].$get({ param: { orgId: org.orgId } }))
    expect(read).toMatchObject({ orgId: org.orgId, name: 'Renamed by CI', role: 'admin' })
    expect(sent.map((request) => request.headers.get('Authorization'))).toEqual([`Bearer ${key}`, `Bearer ${key}`])
    const bookmark = renamed.headers.get('X-D1-Bookmark')
    expect(bookmark).toEqual(expect.any(String))
    expect(sent[1].headers.get('X-D1-Bookmark')).toBe(bookmark)
  })

  it('is refused on a user route (403) and, revoked, refused for good (401) without a refresh', async () => {
    const { owner, org, keyId, ci, sent } = await apiKeyClient('member')
    const error = await errorFrom(await ci.auth.me.$get())
    expect(error).toBeInstanceOf(ApiClientError)
    expect(error).toMatchObject({ status: 403, code: 'insufficient_permissions' })

    const revoked = await client.api.orgs[':orgId']['api-keys'][':keyId'].$delete(
      { param: { orgId: org.orgId, keyId } },
      bearer(owner.token),
    )
    expect(revoked.status).toBe(204)
    const refused = await ci.orgs[':orgId'].$get({ param: { orgId: org.orgId } })
    expect(await errorFrom(refused)).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(sent.map((request) => new URL(request.url).pathname)).toEqual(['/api/auth/me', `/api/orgs/${org.orgId}`])
  })

  it('has no login or logout: absent from its type, and rejecting when called anyway, sending nothing', async () => {
    const { ci, sent } = await apiKeyClient()
    // @ts-expect-error a client with an API key does not log in.
    await expect(ci.login('ada', DEFAULT_PASSWORD)).rejects.toThrow("login is for a user's client")
    // @ts-expect-error nor out.
    await expect(ci.logout()).rejects.toThrow("logout is for a user's client")
    // @ts-expect-error nor out everywhere.
    await expect(ci.logoutAll()).rejects.toThrow("logoutAll is for a user's client")
    expect(sent).toEqual([])
    expect(() => createClient({ baseUrl: BASE_URL, apiKey: 'eyJhbGciOiJIUzI1NiJ9.e30.x' })).toThrow(TypeError)
    // @ts-expect-error a key client keeps no tokens.
    createClient({ baseUrl: BASE_URL, apiKey: 'osk_x', storage: memoryStorage() })
  })
})
