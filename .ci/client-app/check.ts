// Type-checked in a scratch app by .ci/client-check: every marked line must be an error there.
import {
  ApiClientError,
  createClient,
  type ErrorCode,
  errorFrom,
  memoryStorage,
  type TokenStorage,
} from '@orgstack/client'

const held = new Map<string, string>()
const storage: TokenStorage = {
  get: () => {
    const token = held.get('token')
    const refreshToken = held.get('refreshToken')
    return token && refreshToken ? { token, refreshToken } : null
  },
  set: ({ token, refreshToken }) => {
    held.set('token', token)
    held.set('refreshToken', refreshToken)
  },
  clear: () => held.clear(),
}
const client = createClient({ baseUrl: 'https://api.example.com', storage, now: () => Date.now() })
createClient({ baseUrl: 'https://api.example.com', storage: memoryStorage() })
const ci = createClient({
  baseUrl: 'https://api.example.com',
  apiKey: 'osk_Zx81Lq0PfA3d_8kQ2vN5rT0wY7zB4cF1hJ6mP9sU3xA0dG5jL8nR2tV7',
})

export async function correct() {
  try {
    const { userId, username } = await client.login('ada', 'correct horse battery staple')
    console.log(userId, username)
  } catch (error) {
    if (error instanceof ApiClientError && error.code === 'too_many_attempts') console.log(error.retryAfter)
  }
  const me = await client.auth.me.$get()
  if (me.status === 200) {
    const body = await me.json()
    const id: string = body.userId
    console.log(id, body.username, body.role)
  } else throw await errorFrom(me)
  const created = await client.orgs.$post({ json: { slug: 'acme', name: 'Acme Corporation' } })
  if (created.status === 201) console.log((await created.json()).orgId)
  const invited = await client.invitations.$get({ query: {} })
  if (invited.status === 200) {
    for (const { invitationId } of (await invited.json()).invitations)
      await client.invitations[':invitationId'].accept.$post({ param: { invitationId } })
  }
  await client.orgs[':orgId'].members.$get({ param: { orgId: 'o' }, query: { limit: 10 } })
  const code: ErrorCode = 'invalid_credentials'
  console.log(code, client.auth.me.$url().href)
  await client.logout()
  await client.logoutAll()
  const org = await ci.orgs[':orgId'].$get({ param: { orgId: 'o' } })
  if (org.status === 200) console.log((await org.json()).name)
}

export async function mistakes() {
  // @ts-expect-error 1. a path the API does not have
  await client.auth.mee.$get()
  // @ts-expect-error 2. a method the route does not have
  await client.auth.me.$post()
  // @ts-expect-error 3. a required body field missing
  await client.auth.login.$post({ json: { username: 'ada' } })
  // @ts-expect-error 4. a field of the wrong type
  await client.orgs.$post({ json: { slug: 'acme', name: 42 } })
  // @ts-expect-error 5. a query parameter the route does not take
  await client.users.$get({ query: { page: '2' } })
  const me = await client.auth.me.$get()
  if (me.status === 200) {
    // @ts-expect-error 6. a field the 200 body does not have: it is `userId`
    console.log((await me.json()).id)
  }
  // @ts-expect-error 7. a list route without its `query: {}`
  await client.invitations.$get()
  // @ts-expect-error 8. a path parameter under the wrong name
  await client.orgs[':orgId'].$get({ param: { id: 'acme' } })
  // @ts-expect-error 9. a value outside the enum
  await client.orgs[':orgId'].members.$post({ param: { orgId: 'o' }, json: { user: 'bob', role: 'superuser' } })
  // @ts-expect-error 10. a status the route never answers
  if (me.status === 418) console.log('teapot')
  // @ts-expect-error 11. an error code the server does not have
  const code: ErrorCode = 'no_such_code'
  // @ts-expect-error 12. login without its password
  await client.login('ada')
  // @ts-expect-error 13. a client with an API key does not log in
  await ci.login('ada', 'correct horse battery staple')
  // @ts-expect-error 14. an API key with token storage, which it never uses
  createClient({ baseUrl: 'https://api.example.com', apiKey: 'osk_…', storage })
  console.log(code)
}
