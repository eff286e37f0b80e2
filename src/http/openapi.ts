import { z } from '@hono/zod-openapi'

export const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'Invalid or expired token' }),
    code: z.string().openapi({ example: 'invalid_token' }),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error')

const errorDescriptions = {
  400: 'Malformed request: bad JSON, wrong content type, or fields that fail validation (see `details`)',
  401: 'Missing authorization header, or an invalid or expired token',
  403: 'Insufficient permissions (or plain HTTP in production: `https_required`)',
  404: 'Not found',
  409: 'Conflict: the username or email is taken, or the change would leave no active admin',
  413: 'Request body larger than 16 KB',
  429: 'Too many password checks for this account or client: try again after `Retry-After` seconds',
  500: 'Internal server error',
  503: 'Service temporarily unavailable',
} as const

const errorContent = { 'application/json': { schema: ErrorSchema } }

/** The error answers a route can give, each with the shared error body. */
export function errorResponses<S extends keyof typeof errorDescriptions>(...statuses: S[]) {
  const responses = {} as Record<S, { description: string; content: typeof errorContent }>
  for (const status of statuses) responses[status] = { description: errorDescriptions[status], content: errorContent }
  return responses
}

/** `security` of a route that takes `Authorization: Bearer <token>`. */
export const bearerAuth = [{ bearerAuth: [] }]
