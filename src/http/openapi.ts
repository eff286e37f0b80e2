import { z } from '@hono/zod-openapi'
import { idParamSchema, idSchema } from '../lib/id-schemas'

/** A required JSON request body validated by `schema`, with an example of one it accepts. */
export const jsonBody = <T extends z.ZodType>(schema: T, example: z.input<T>) => ({
  required: true,
  content: { 'application/json': { schema, example } },
})

/** A JSON answer of `schema`, with an example. */
export const jsonResponse = <T extends z.ZodType>(description: string, schema: T, example: z.output<T>) => ({
  description,
  content: { 'application/json': { schema, example } },
})

/** What an operation with a query says of parameters it does not name: its query schema is strict. */
export const CLOSED_QUERY = 'Query parameters other than those listed are refused (400 `validation_error`).'

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

/** A keyset page's `nextCursor` answer: the `cursor` of the next page, or null on the last. */
export const nextCursorSchema = idSchema
  .nullable()
  .openapi({ description: 'Pass as `cursor` for the next page; null on the last' })
