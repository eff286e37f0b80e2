import { z } from '@hono/zod-openapi'
import { idParamSchema, idSchema } from './id-schemas'

export const jsonBody = <T extends z.ZodType>(schema: T, example: z.input<T>) => ({
  required: true,
  content: { 'application/json': { schema, example } },
})

export const jsonResponse = <T extends z.ZodType>(description: string, schema: T, example: z.output<T>) => ({
  description,
  content: { 'application/json': { schema, example } },
})

export const CLOSED_QUERY = 'Query parameters other than those listed are refused (400 `validation_error`).'

export const pageQuery = (defaultLimit: number) => ({
  // Digits only: `Number()` also accepts '0x10', '1e1', ' 5' and '+5'. Typed number too, for hono/client callers.
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

export const nextCursorSchema = idSchema
  .nullable()
  .openapi({ description: 'Pass as `cursor` for the next page; null on the last' })
