import { z } from '@hono/zod-openapi'
import { idParamSchema } from '../lib/id-schemas'
import { ERROR_CODES, ERRORS } from './errors'

const ErrorSchema = z
  .object({
    error: z.string().openapi({ example: 'Invalid or expired token' }),
    code: z.enum(ERROR_CODES).openapi({ description: 'Stable, for programs: see each status for its codes' }),
    hint: z.string().optional().openapi({ description: 'What to do about it, where the message alone may not say' }),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Error')

type ErrorStatus = (typeof ERRORS)[keyof typeof ERRORS]['status']

/** What a status means, from the catalogue: each code it can carry, and when. */
const describeStatus = (status: ErrorStatus) =>
  Object.entries(ERRORS)
    .filter(([, entry]) => entry.status === status)
    .map(([code, entry]) => `\`${code}\`: ${entry.description}`)
    .join('; ')

const errorContent = { 'application/json': { schema: ErrorSchema } }

/**
 * The error answers a route can give, each with the shared error body and a description
 * of its codes from the catalogue.
 *
 * @example
 * responses: { 200: …, ...errorResponses(400, 401, 500, 503) }
 */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]) {
  const responses = {} as Record<S, { description: string; content: typeof errorContent }>
  for (const status of statuses) responses[status] = { description: describeStatus(status), content: errorContent }
  return responses
}

/** A required JSON request body validated by `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
})

/** A JSON answer of `schema`. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
})

/** A keyset page's query: `limit` (1 to 100, `defaultLimit` if absent) and the previous page's `nextCursor`. */
export const pageQuery = (defaultLimit: number) => ({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(defaultLimit)
    .openapi({ description: `Page size, 1 to 100 (default ${defaultLimit})` }),
  cursor: idParamSchema.optional().openapi({ description: '`nextCursor` of the previous page, in either case' }),
})
