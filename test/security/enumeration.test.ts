import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { bearer, client, createUser, headersOf, newSession } from '../helpers'

/** Logs in and reports the PBKDF2 work the Worker did for it. */
async function loginObserved(username: string, password: string) {
  const deriveBits = vi.spyOn(crypto.subtle, 'deriveBits')
  const res = await client.api.auth.login.$post({ json: { username, password } })
  const iterations = deriveBits.mock.calls.map(([params]) => (params as { iterations?: number }).iterations)
  deriveBits.mockRestore()
  return { res, iterations }
}

describe('no user enumeration through login', () => {
  it('costs an unknown user the same PBKDF2 work as a wrong password, and answers alike', async () => {
    const user = await createUser()
    const wrong = await loginObserved(user.username, 'not the password')
    const unknown = await loginObserved(`nobody-${crypto.randomUUID()}`, 'not the password')

    expect(wrong.iterations).toEqual([Number(env.PBKDF2_ITERATIONS)])
    expect(unknown.iterations).toEqual(wrong.iterations)
    expect(unknown.res.status).toBe(401)
    expect(await unknown.res.json()).toEqual(await wrong.res.json())
    expect(headersOf(unknown.res)).toEqual(headersOf(wrong.res))
  })

  it('answers a disabled account like a wrong password, after the same work', async () => {
    const { token } = await newSession('admin')
    const user = await createUser()
    await client.api.users[':id'].$patch({ param: { id: user.id }, json: { disabled: true } }, bearer(token))
    const disabled = await loginObserved(user.username, user.password)
    const wrong = await loginObserved(user.username, 'not the password')
    expect(disabled.iterations).toEqual(wrong.iterations)
    expect(await disabled.res.json()).toEqual(await wrong.res.json())
  })

  it('tells a member nothing about ids that are not theirs', async () => {
    const { token } = await newSession('member')
    const other = await createUser()
    const existing = await client.api.users[':id'].$get({ param: { id: other.id } }, bearer(token))
    const missing = await client.api.users[':id'].$get(
      { param: { id: '01900000-0000-7000-8000-000000000000' } },
      bearer(token),
    )
    expect(existing.status).toBe(missing.status)
    expect(await existing.json()).toEqual(await missing.json())
  })
})
