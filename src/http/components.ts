import type { OpenAPIHono } from '@hono/zod-openapi'
import { registerBookmarkComponents } from './d1-session-docs'
import { ERROR_HEADERS, errorResponse } from './error-responses'
import { API_KEY_SCHEME, BEARER_SCHEME } from './guards'

// Responses to an unknown route or method, which belong to no operation.
const UNROUTED = { NotFound: 'not_found', MethodNotAllowed: 'method_not_allowed' } as const

/** Registers the OpenAPI components that operations share or that no operation owns (404, 405, CORS preflight). */
export function registerComponents(registry: OpenAPIHono['openAPIRegistry']) {
  registry.registerComponent('securitySchemes', 'bearerAuth', BEARER_SCHEME)
  registry.registerComponent('securitySchemes', 'apiKeyAuth', API_KEY_SCHEME)
  registerBookmarkComponents(registry)
  for (const [name, header] of Object.entries(ERROR_HEADERS)) registry.registerComponent('headers', name, header)
  for (const [name, code] of Object.entries(UNROUTED)) {
    const { content, ...response } = errorResponse([code])
    const { schema, examples } = content['application/json']
    // Components are not converted from zod, so the schema is registered by name and referenced.
    registry.register(`${name}Error`, schema)
    registry.registerComponent('responses', name, {
      ...response,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}Error` }, examples } },
    })
  }
  registry.registerComponent('responses', 'CorsPreflight', {
    description:
      'When `CORS_ORIGINS` is set, the response to a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`) on any path; `Access-Control-Allow-Origin` is there only for a listed origin',
    headers: {
      'Access-Control-Allow-Origin': { schema: { type: 'string' }, example: 'https://app.example' },
      'Access-Control-Allow-Methods': { required: true, schema: { type: 'string' }, example: 'GET,POST,PATCH,DELETE' },
      'Access-Control-Allow-Headers': {
        required: true,
        schema: { type: 'string' },
        example: 'Authorization,Content-Type,X-D1-Bookmark',
      },
      'Access-Control-Max-Age': { required: true, schema: { type: 'integer' }, example: 600 },
    },
  })
}
