import { document, type Match, type Operation, parameterValue, resolve, schemaProblems } from './document'

type ResponseObject = Exclude<NonNullable<Operation['responses']>[string], { $ref: string }>
type Headers = NonNullable<ResponseObject['headers']>

/** An answer the document holds under `components.responses`. */
function component(name: string) {
  const response = document.components?.responses?.[name]
  if (!response) throw new Error(`The OpenAPI document has no components.responses.${name}`)
  return resolve(response)
}

/** A CORS preflight: answered by the CORS middleware, on any path, when `CORS_ORIGINS` is set. */
const isPreflight = (request: Request) =>
  request.method === 'OPTIONS' && request.headers.has('Access-Control-Request-Method')

/**
 * The response the document declares for `status` to a request it reads as `found`: an
 * operation's own, or the components it holds for what no operation answers (an unknown
 * route or method, a CORS preflight); or why it declares none.
 */
function declared(request: Request, found: Match, status: number): ResponseObject | string {
  if (status === 204 && isPreflight(request)) return component('CorsPreflight')
  if (found.kind === 'unknown route') return status === 404 ? component('NotFound') : 'a path no operation has'
  if (found.kind === 'unknown method')
    return status === 405 ? component('MethodNotAllowed') : `${found.name}: no operation`
  const response = found.operation.responses?.[status]
  const statuses = Object.keys(found.operation.responses ?? {}).join(', ')
  return response ? resolve(response) : `${found.name} declares ${statuses}, not ${status}`
}

/**
 * Why `response` (its body read as `text`) is not an answer the document declares for
 * `request` (read as `found`): its status, a required header missing or a header's value, its
 * media type or its body; none if it is one. No body is checked for HEAD, which has none.
 */
export function answerProblems(request: Request, found: Match, response: Response, text: string): string[] {
  const expected = declared(request, found, response.status)
  if (typeof expected === 'string') return [`status ${response.status} is not declared (${expected})`]
  const problems: string[] = []
  for (const [name, header] of Object.entries(expected.headers ?? {}) as [string, Headers[string]][]) {
    const { required, schema } = resolve(header)
    const value = response.headers.get(name)
    if (value === null) {
      if (required) problems.push(`no ${name} header, which is required`)
      continue
    }
    problems.push(...schemaProblems(parameterValue(value, schema), schema, `header ${name}`))
  }
  if (!expected.content) return text === '' ? problems : [...problems, 'a body, where none is declared']
  if (request.method === 'HEAD') return problems
  const type = response.headers.get('Content-Type')?.split(';')[0].trim() ?? ''
  const media = expected.content[type]
  if (!media) return [...problems, `Content-Type ${type || '(none)'}, not ${Object.keys(expected.content).join(', ')}`]
  try {
    return [...problems, ...schemaProblems(JSON.parse(text), media.schema, 'body')]
  } catch {
    return [...problems, `a body that is not JSON: ${text.slice(0, 100)}`]
  }
}
