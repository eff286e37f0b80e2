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

  it('never goes back to an older bookmark, answered late by a slower request', async () => {
    const user = await createUser()
    const sent: (string | null)[] = []
    let answerOlder = false
    const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      sent.push(request.headers.get(BOOKMARK))
      const res = await workerFetch(request)
      if (!answerOlder) return res
      // Bookmarks sort oldest to newest as strings: all zeros is older than any the Worker answers.
      const older = new Response(res.body, res)
      older.headers.set(BOOKMARK, '00000000-00000000-00000000-00000000000000000000000000000000')
      return older
    }
    const orgstack = createClient({ baseUrl: 'https://orgstack.test', fetch })
    await orgstack.login(user.username, DEFAULT_PASSWORD)
    answerOlder = true
    await orgstack.auth.me.$get()
    answerOlder = false
    await orgstack.auth.me.$get()
    expect(sent[2]).toBe(sent[1])
    expect(sent[2]).toMatch(/^[0-9a-f]{8}-/)
  })
})
