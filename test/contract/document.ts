import { exports } from 'cloudflare:workers'
import { dereference, type Schema, validate } from '@cfworker/json-schema'
import type { OpenAPIHono } from '@hono/zod-openapi'

type Document = ReturnType<OpenAPIHono['getOpenAPI31Document']>
type PathItem = NonNullable<Document['paths']>[string]
export type Operation = NonNullable<PathItem['get']>
type Reference = { $ref: string }

/** Where the Worker serves its document; the base its `$ref`s resolve against. */
export const DOCUMENT_URL = 'https://orgstack.test/api/openapi.json'

// Loaded once per test file, when it is imported: before any test, so no console spy sees the request's log line.
export const document: Document = await (await exports.default.fetch(new Request(DOCUMENT_URL))).json()

/** Every schema of the document by its URI, for the validator to follow `$ref`s. */
const lookup = dereference({ ...document, $id: DOCUMENT_URL } as Schema)

/** What a `$ref` points to in the document (itself if it is none). */
export function resolve<T extends object>(node: T): Exclude<T, Reference> {
  if (!('$ref' in node)) return node as Exclude<T, Reference>
  const keys = (node as Reference).$ref.slice('#/'.length).split('/')
  const target = keys.reduce<unknown>(
    (at, key) => (at as Record<string, unknown>)[key.replaceAll('~1', '/').replaceAll('~0', '~')],
    document,
  )
  return resolve(target as T)
}

/** Why `instance` fails `schema` (a schema of the document), as `what` and where; none if it passes. */
export function schemaProblems(instance: unknown, schema: unknown, what: string): string[] {
  const { errors } = validate(instance, schema as Schema, '2020-12', lookup, false)
  return errors.map(({ instanceLocation, error }) => `${what}${instanceLocation.slice(1)}: ${error}`)
}

/**
 * A string as sent in a path, query or header, read as a value of `schema`: as OpenAPI
 * serialises them, an integer or number is its decimal digits; anything else stays a string
 * and fails the schema if it should not.
 */
export function parameterValue(raw: string, schema: unknown): unknown {
  const { type } = (schema ?? {}) as { type?: unknown }
  if (type === 'integer' && /^-?\d+$/.test(raw)) return Number(raw)
  if (type === 'number' && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  return raw
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

/** A path of the document as a pattern, `{name}` matching one segment. */
const pathPattern = (template: string) =>
  new RegExp(`^${template.replace(/\{([^}]+)\}/g, (_match, name: string) => `(?<${name}>[^/]+)`)}$`)

const paths = Object.entries(document.paths ?? {}).map(([template, item]) => ({
  template,
  item,
  pattern: pathPattern(template),
}))

/** What the document says a request is: an operation, a method its path lacks, or a path it lacks. */
export type Match =
  | { kind: 'operation'; name: string; operation: Operation; params: Record<string, string> }
  | { kind: 'unknown method'; name: string }
  | { kind: 'unknown route' }

/** The document's answer to which operation `request` calls: HEAD is none, as no operation declares it. */
export function match(request: Request): Match {
  const { pathname } = new URL(request.url)
  for (const { template, item, pattern } of paths) {
    const found = pattern.exec(pathname)
    if (!found) continue
    const method = request.method.toLowerCase()
    const operation = METHODS.includes(method as (typeof METHODS)[number])
      ? item[method as (typeof METHODS)[number]]
      : undefined
    const name = `${request.method} ${template}`
    if (!operation) return { kind: 'unknown method', name }
    const params = Object.fromEntries(
      Object.entries(found.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)]),
    )
    return { kind: 'operation', name, operation, params }
  }
  return { kind: 'unknown route' }
}
