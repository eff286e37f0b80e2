import { describe, expect, it } from 'vitest'
import { ERRORS } from '../src/http/errors'
import { request } from './helpers'

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; enum?: string[] }
type Response = {
  description: string
  headers?: Record<string, unknown>
  content?: Record<string, { schema: Schema; example?: unknown; examples?: Record<string, { value: unknown }> }>
}
type Operation = {
  operationId: string
  security: unknown[]
  parameters?: unknown[]
  requestBody?: { content: Record<string, { example?: unknown }> }
  responses: Record<string, Response>
}
type Document = {
  openapi: string
  servers: { url: string }[]
  paths: Record<string, Record<string, Operation>>
  components: {
    securitySchemes: Record<string, unknown>
    schemas: Record<string, { required?: string[] }>
    responses: Record<string, Response>
  }
}

const PUBLIC_OPERATIONS = ['POST /api/auth/login', 'POST /api/auth/refresh', 'GET /api/health']

/** Where an organization's API key is accepted; everywhere else it gets 403. */
const KEY_OPERATIONS = [
  'GET /api/orgs/{orgId}',
  'PATCH /api/orgs/{orgId}',
  'GET /api/orgs/{orgId}/members',
  'PATCH /api/orgs/{orgId}/members/{userId}',
  'DELETE /api/orgs/{orgId}/members/{userId}',
  'GET /api/orgs/{orgId}/audit-events',
]

const isBookmarkParameter = (parameter: unknown) =>
  (parameter as { $ref?: string }).$ref === '#/components/parameters/D1Bookmark'

async function loadDocument() {
  const res = await request('/api/openapi.json')
  expect(res.status).toBe(200)
  return res.json<Document>()
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      name: `${method.toUpperCase()} ${path}`,
      path,
      operation,
    })),
  )

/** The codes an error answer declares: its narrowed `code` enum. */
const codesOf = (response: Response) =>
  response.content?.['application/json'].schema.allOf?.[1].properties?.code.enum ?? []

/** Every code each operation declares, by status. */
const declaredCodes = (operation: Operation) =>
  Object.fromEntries(Object.entries(operation.responses).map(([status, response]) => [status, codesOf(response)]))

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every route, served from where it is read, public without a token', async () => {
    const doc = await loadDocument()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })])
    expect(operations(doc).map((o) => o.name)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/auth/me', 'GET /api/users', 'GET /api/health']),
    )
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  })

  it('gives no parameter an example, which the docs page would pre-fill and so filter every list to nothing', async () => {
    const doc = await loadDocument()
    const parameters = operations(doc).flatMap(({ name, operation }) =>
      (operation.parameters ?? []).map((parameter) => ({ name, parameter: parameter as { in: string } })),
    )
    expect(parameters.filter(({ parameter }) => parameter.in === 'query').length).toBeGreaterThan(0)
    for (const { name, parameter } of parameters) expect(JSON.stringify(parameter), name).not.toMatch(/"examples?"/)
  })

  it('names every operation with a distinct camelCase operationId', async () => {
    const ids = operations(await loadDocument()).map(({ operation }) => operation.operationId)
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z]+$/)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('declares on each error answer exactly the codes of its status that the operation can carry', async () => {
    const doc = await loadDocument()
    const login = doc.paths['/api/auth/login'].post
    // Not the guard's 401s: login answers only a failed password check with 401.
    expect(codesOf(login.responses['401'])).toEqual(['invalid_credentials'])
    expect(login.responses['401'].description).not.toMatch(/authorization/i)
    expect(declaredCodes(doc.paths['/api/users/{id}'].get)).toMatchObject({
      401: ['missing_authorization', 'invalid_token', 'token_expired'],
      403: ['insufficient_permissions', 'https_required'],
      404: ['user_not_found'],
    })
    expect(declaredCodes(doc.paths['/api/auth/password'].post)).toMatchObject({
      422: ['current_password_incorrect'],
      429: ['too_many_attempts'],
    })
    for (const { name, operation } of operations(doc)) {
      for (const [status, codes] of Object.entries(declaredCodes(operation))) {
        for (const code of codes)
          expect(`${ERRORS[code as keyof typeof ERRORS].status}`, `${name} ${code}`).toBe(status)
      }
    }
  })

  it('declares 403 insufficient_permissions on every protected operation: an API key is refused where it is not accepted', async () => {
    const doc = await loadDocument()
    for (const { name, operation } of operations(doc)) {
      if (PUBLIC_OPERATIONS.includes(name)) continue
      expect(declaredCodes(operation)['403'], name).toContain('insufficient_permissions')
    }
  })

  it('lists what any operation can answer, what a body or parameters can be refused with, and 429 where logins are counted', async () => {
    const doc = await loadDocument()
    for (const { name, operation } of operations(doc)) {
      const codes = Object.values(declaredCodes(operation)).flat()
      const everywhere = ['https_required', 'payload_too_large', 'internal_error', 'server_misconfigured']
      expect(codes, name).toEqual(expect.arrayContaining([...everywhere, 'service_unavailable', 'schema_not_migrated']))
      if (operation.requestBody) {
        expect(codes, name).toEqual(expect.arrayContaining(['invalid_json', 'unsupported_media_type']))
      }
      // The bookmark header, on every operation, has its own code.
      const parameters = operation.parameters?.filter((p) => !isBookmarkParameter(p))
      if (operation.requestBody || parameters?.length) expect(codes, name).toContain('validation_error')
      expect(codes, name).toContain('invalid_bookmark')
    }
    for (const name of ['POST /api/auth/login', 'POST /api/auth/password']) {
      const [method, path] = name.split(' ')
      expect(declaredCodes(doc.paths[path][method.toLowerCase()]), name).toHaveProperty('429')
    }
  })

  it('declares the headers a client must act on', async () => {
    const doc = await loadDocument()
    for (const { name, operation } of operations(doc)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (status === '401') expect(response.headers, name).toHaveProperty('WWW-Authenticate')
        if (status === '429' || status === '503') expect(response.headers, name).toHaveProperty('Retry-After')
      }
    }
    expect(doc.components.responses.MethodNotAllowed.headers).toHaveProperty('Allow')
    expect(doc.components.responses.NotFound.content?.['application/json'].examples).toHaveProperty('not_found')
  })

  it('lists bearer security on every operation but the public ones, and each of those answers 401 without a token', async () => {
    const doc = await loadDocument()
    for (const { name, path, operation } of operations(doc)) {
      if (PUBLIC_OPERATIONS.includes(name)) {
        expect(operation.security, name).toEqual([])
        continue
      }
      expect(operation.security, name).toEqual(
        KEY_OPERATIONS.includes(name) ? [{ bearerAuth: [] }, { apiKeyAuth: [] }] : [{ bearerAuth: [] }],
      )
      expect(Object.keys(doc.components.securitySchemes ?? {})).toEqual(['bearerAuth', 'apiKeyAuth'])
      expect(Object.keys(operation.responses), name).toContain('401')
      const [method] = name.split(' ')
      const res = await request(path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000'), { method })
      expect(res.status, name).toBe(401)
    }
  })

  it("does not require a new user's role, which defaults on the server", async () => {
    const doc = await loadDocument()
    expect(doc.components.schemas.NewUser.required).toEqual(['username', 'email', 'password'])
  })
})
