import { describe, expect, it } from 'vitest'
import { api } from './helpers'

type Operation = { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
type Document = {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> }
}

const PUBLIC_OPERATIONS = ['POST /api/auth/login', 'GET /api/health']

async function loadDocument() {
  const res = await api('/api/openapi.json')
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

describe('GET /api/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every route, public without a token', async () => {
    const doc = await loadDocument()
    expect(doc.openapi).toBe('3.1.0')
    expect(operations(doc).map((o) => o.name)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'GET /api/auth/me', 'GET /api/users', 'GET /api/health']),
    )
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
  })

  it('documents the error answers with the shared error schema', async () => {
    const doc = await loadDocument()
    const login = doc.paths['/api/auth/login'].post
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '400', '401']))
    expect(login.responses['401'].content?.['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
    expect(Object.keys(doc.paths['/api/users'].get.responses)).toEqual(expect.arrayContaining(['401', '403']))
    expect(doc.components.schemas.Error).toBeDefined()
  })

  it('lists 503 wherever D1 is used, 413 wherever a body is taken, and 429 where logins are counted', async () => {
    const doc = await loadDocument()
    for (const { name, operation } of operations(doc)) {
      const statuses = Object.keys(operation.responses)
      expect(statuses, name).toContain('503')
      if (/^(POST|PATCH) /.test(name)) expect(statuses, name).toContain('413')
    }
    for (const name of ['POST /api/auth/login', 'POST /api/auth/password']) {
      const [method, path] = name.split(' ')
      expect(Object.keys(doc.paths[path][method.toLowerCase()].responses), name).toContain('429')
    }
  })

  it('lists bearer security on every operation but the public ones, and each of those answers 401 without a token', async () => {
    const doc = await loadDocument()
    for (const { name, path, operation } of operations(doc)) {
      if (PUBLIC_OPERATIONS.includes(name)) {
        expect(operation.security, name).toBeUndefined()
        continue
      }
      expect(operation.security, name).toEqual([{ bearerAuth: [] }])
      expect(Object.keys(operation.responses), name).toContain('401')
      const [method] = name.split(' ')
      const res = await api(path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000'), { method })
      expect(res.status, name).toBe(401)
    }
  })
})
