import { z } from '@hono/zod-openapi'
import { idParamSchema, idSchema } from './id-schemas'

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
  // Digits only: `Number()` would also read '0x10', '1e1', ' 5' and '+5'. Typed as a number too, as the
  // typed client (hono/client) may be given one: it sends its decimal digits.
  limit: z
    .custom<string | number>((raw) => typeof raw === 'string' && /^[0-9]+$/.test(raw), 'Expected decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(1).max(100))
    .default(defaultLimit)
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: defaultLimit,
      description: `Page size, 1 to 100 in decimal digits (default ${defaultLimit})`,
    }),
  cursor: idParamSchema.optional().openapi({ description: '`nextCursor` of the previous page, in either case' }),
})

/** A keyset page's `nextCursor` answer: the `cursor` of the next page, or null on the last. */
export const nextCursorSchema = idSchema
  .nullable()
  .openapi({ description: 'Pass as `cursor` for the next page; null on the last' })
