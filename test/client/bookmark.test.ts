import { describe, expect, it } from 'vitest'
import { createClient } from '../../client/src'
import { createUser, DEFAULT_PASSWORD, workerFetch } from '../helpers'

const BOOKMARK = 'X-D1-Bookmark'

/** A client of the Worker under test that records, for each request, the bookmark sent and the one answered. */
function recordingClient() {
  const exchanges: { path: string; sent: string | null; answered: string | null }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const res = await workerFetch(request)
    exchanges.push({
      path: `${request.method} ${new URL(request.url).pathname}`,
      sent: request.headers.get(BOOKMARK),
      answered: res.headers.get(BOOKMARK),
    })
    return res
  }
  return { orgstack: createClient({ baseUrl: 'https://orgstack.test', fetch }), exchanges }
}

describe('the client and the D1 bookmark', () => {
  it('sends the bookmark of the latest answer on every request, and reads its own write', async () => {
    const user = await createUser()
    const { orgstack, exchanges } = recordingClient()
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    const patched = await orgstack.auth.me.$patch({ json: { email: `${user.username}@moved.example` } })
    expect(patched.status).toBe(200)
    const me = await orgstack.auth.me.$get()
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ email: `${user.username}@moved.example` })

    expect(exchanges.map((e) => e.path)).toEqual(['POST /api/auth/login', 'PATCH /api/auth/me', 'GET /api/auth/me'])
    expect(exchanges[0].sent).toBeNull()
    for (const [i, exchange] of exchanges.entries()) {
      expect(exchange.answered, exchange.path).toMatch(/^[0-9A-Za-z-]+$/)
      if (i > 0) expect(exchange.sent, exchange.path).toBe(exchanges[i - 1].answered)
    }
  })

  it('keeps one bookmark per client: a new client sends none', async () => {
    const user = await createUser()
    await recordingClient().orgstack.login(user.username, DEFAULT_PASSWORD)
    const other = recordingClient()
    await other.orgstack.login(user.username, DEFAULT_PASSWORD)
    expect(other.exchanges[0].sent).toBeNull()
  })
})
