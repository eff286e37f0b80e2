import { describe, expect, it } from 'vitest'
import { answerProblems } from './contract/check-answer'
import { requestProblems } from './contract/check-request'
import { document, match } from './contract/document'
import { newSession, request } from './helpers'

const SOME_ID = '019ac1f2-7a3b-7cde-8f01-23456789abcd'

/** Every operation of the document, its path filled in. */
const operations = Object.entries(document.paths ?? {}).flatMap(([template, item]) =>
  (['get', 'post', 'patch', 'delete'] as const)
    .filter((method) => item[method])
    .map((method) => ({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, SOME_ID) })),
)

// Each answer below is checked against the operation's declared ones by the request helpers themselves.
describe('every operation', () => {
  it.each(operations)(
    '$method $path refuses plain HTTP in production: 403 https_required',
    async ({ method, path }) => {
      const res = await request(path, { method, env: {}, scheme: 'http' })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ code: 'https_required' })
    },
  )

  it.each(operations.filter(({ method }) => method !== 'GET'))(
    '$method $path refuses a body over 16 KB, whatever it takes: 413 payload_too_large',
    async ({ method, path }) => {
      const { token } = await newSession('admin')
      const res = await request(path, { method, env: {}, token, body: 'x'.repeat(17 * 1024) })
      expect(res.status).toBe(413)
      expect(await res.json()).toMatchObject({ code: 'payload_too_large' })
    },
  )
})

describe('the check of every answer against the document', () => {
  const request = (path: string, init?: RequestInit) => new Request(`https://orgstack.test${path}`, init)
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
  const problems = async (sent: Request, answer: Response) =>
    answerProblems(sent, match(sent), answer, await answer.text())

  it('takes a declared answer', async () => {
    expect(await problems(request('/api/health'), json(200, { status: 'ok' }))).toEqual([])
  })

  it('refuses a status the operation does not declare', async () => {
    const answer = json(418, { error: "I'm a teapot", code: 'internal_error' })
    expect(await problems(request('/api/health'), answer)).toEqual([expect.stringContaining('status 418')])
  })

  it('refuses an answer without a header its status requires', async () => {
    const login = request('/api/auth/login', { method: 'POST' })
    const tooMany = { error: 'Too many attempts', code: 'too_many_attempts' }
    expect(await problems(login, json(429, tooMany))).toEqual([expect.stringContaining('no Retry-After header')])
    expect(await problems(login, json(429, tooMany, { 'Retry-After': 'soon' }))).toEqual([
      expect.stringContaining('header Retry-After'),
    ])
  })

  it('refuses a code the answer does not carry, or a field the body does not have', async () => {
    const me = request('/api/auth/me')
    const challenge = { 'WWW-Authenticate': 'Bearer realm="orgstack"' }
    const credentials = { error: 'Invalid username or password', code: 'invalid_credentials' }
    expect(await problems(me, json(401, credentials, challenge))).not.toEqual([])
    expect(await problems(request('/api/health'), json(200, { status: 'fine' }))).not.toEqual([])
  })

  it('checks an unknown route or method against the components the document holds for them', async () => {
    const notFound = { error: 'Not found', code: 'not_found' }
    expect(await problems(request('/api/nope'), json(404, notFound))).toEqual([])
    expect(await problems(request('/api/nope'), json(200, {}))).toEqual([expect.stringContaining('status 200')])
    const notAllowed = { error: 'Method not allowed', code: 'method_not_allowed' }
    const put = request('/api/health', { method: 'PUT' })
    expect(await problems(put, json(405, notAllowed))).toEqual([expect.stringContaining('no Allow header')])
  })
})

describe('the check that server and document agree on what a valid request is', () => {
  const check = async (sent: Request, answer: Response) => {
    const found = match(sent)
    if (found.kind !== 'operation') throw new Error(`${sent.url} is no operation`)
    return requestProblems(sent, new Uint8Array(await sent.arrayBuffer()), found, answer, await answer.text())
  }
  const getUser = (id: string) => new Request(`https://orgstack.test/api/users/${id}`)
  const refused = (path: string) =>
    Response.json(
      { error: 'Invalid request', code: 'validation_error', details: [{ path, message: 'no' }] },
      { status: 400 },
    )

  it('fails when the server takes what the document refuses, or refuses what it accepts', async () => {
    expect(await check(getUser(crypto.randomUUID()), Response.json({}))).toEqual([
      expect.stringContaining('the server took a request the document refuses'),
    ])
    expect(await check(getUser(SOME_ID), refused('id'))).toEqual([
      expect.stringContaining('the server refused (validation_error ["id"]) a request the document accepts'),
    ])
  })

  it('passes a refusal of a field whose rule the document states in words (x-also-refused)', async () => {
    const body = JSON.stringify({ currentPassword: 'correct horse battery staple', newPassword: 'Password123!' })
    const change = () =>
      new Request('https://orgstack.test/api/auth/password', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      })
    expect(await check(change(), refused('newPassword'))).toEqual([])
    expect(await check(change(), refused('currentPassword'))).not.toEqual([])
  })

  it('says nothing of answers that do not tell whether the request was valid', async () => {
    expect(await check(getUser(crypto.randomUUID()), Response.json({}, { status: 401 }))).toEqual([])
  })
})
