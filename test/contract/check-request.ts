import { ALSO_REFUSED } from '../../src/http/also-refused'
import { type Match, parameterValue, resolve, schemaProblems } from './document'

/** The codes of a request the validators refused: the document should refuse it too. */
const REFUSALS = ['validation_error', 'invalid_json', 'unsupported_media_type']

type Refusal = { code: string; details?: { path: string }[] }

type Found = Extract<Match, { kind: 'operation' }>

/**
 * Why the document refuses `request`: a path or query parameter its schema refuses, a query
 * parameter the operation does not list (an operation with a query refuses the rest, as its
 * description says), no body where one is required, another media type, or a body its schema
 * refuses. None if the document accepts it.
 */
function documentRefusals(request: Request, body: Uint8Array, { operation, params }: Found): string[] {
  const reasons: string[] = []
  const query = new URL(request.url).searchParams
  const parameters = (operation.parameters ?? []).map(resolve)
  for (const { name, in: where, required, schema } of parameters) {
    const raw = where === 'path' ? params[name] : where === 'query' ? query.get(name) : undefined
    if (raw === undefined || raw === null) {
      if (required) reasons.push(`no ${where} parameter ${name}`)
      continue
    }
    reasons.push(...schemaProblems(parameterValue(raw, schema), schema, `${where} parameter ${name}`))
  }
  const listed = parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name)
  if (listed.length > 0) {
    for (const name of query.keys()) if (!listed.includes(name)) reasons.push(`query parameter ${name}, not listed`)
  }
  if (!operation.requestBody) return reasons
  const { required, content } = resolve(operation.requestBody)
  const type = request.headers.get('Content-Type')?.split(';')[0].trim().toLowerCase() ?? ''
  if (body.byteLength === 0) return required ? [...reasons, 'no body'] : reasons
  const media = content[type]
  if (!media) return [...reasons, `a body of Content-Type ${type || '(none)'}`]
  try {
    return [...reasons, ...schemaProblems(JSON.parse(new TextDecoder().decode(body)), media.schema, 'body')]
  } catch {
    return [...reasons, 'a body that is not JSON']
  }
}

/** Whether the field at `path` of the request body states a rule beyond its schema (`x-also-refused`). */
function statesRule({ operation }: Found, path: string): boolean {
  if (!operation.requestBody || path === '') return false
  let schema: object = resolve(resolve(operation.requestBody).content['application/json']?.schema ?? {})
  for (const key of path.split('.')) {
    const property = (schema as { properties?: Record<string, object> }).properties?.[key]
    if (!property) return false
    schema = resolve(property)
  }
  return ALSO_REFUSED in schema
}

/**
 * Where the server and the document disagree on `request` (an operation's, `found`, with the
 * bytes of its `body`), judging by its `response` (its body read as `text`): the server took
 * (2xx) what the document refuses, or refused as invalid (400) what the document accepts,
 * unless each failing field states a rule its schema cannot (`x-also-refused`). Other answers
 * do not say whether the request was valid.
 */
export function requestProblems(
  request: Request,
  body: Uint8Array,
  found: Found,
  response: Response,
  text: string,
): string[] {
  const took = response.status >= 200 && response.status < 300
  const refusal = response.status === 400 ? (JSON.parse(text) as Refusal) : undefined
  const refused = refusal !== undefined && REFUSALS.includes(refusal.code)
  if (!took && !refused) return []
  const reasons = documentRefusals(request, body, found)
  if (took && reasons.length > 0) return [`the server took a request the document refuses: ${reasons.join('; ')}`]
  if (!refused || reasons.length > 0) return []
  const fields = refusal.details?.map((detail) => detail.path) ?? []
  if (fields.length > 0 && fields.every((path) => statesRule(found, path))) return []
  return [`the server refused (${refusal.code} ${JSON.stringify(fields)}) a request the document accepts`]
}
