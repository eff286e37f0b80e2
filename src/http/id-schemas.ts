import { z } from '@hono/zod-openapi'

const EXAMPLE_ID = '019ac1f2-7a3b-7cde-8f01-23456789abcd'

/** An id as the API writes it: a UUIDv7 (`uuidv7()`), in lower case. */
export const idSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  .openapi({ format: 'uuid', example: EXAMPLE_ID })

/**
 * An id as a client may write it in a path or query string: a UUIDv7 (zod's own pattern, which
 * the document shows) in either case, lower-cased here, once, because ids are stored and compared
 * in lower case: an id in upper case would otherwise name no row, or sort before every row.
 *
 * @example
 * z.object({ id: idParamSchema }).parse({ id: '019AC1F2-7A3B-7CDE-8F01-23456789ABCD' }) // { id: '019ac1f2-…' }
 */
export const idParamSchema = z
  .string()
  .regex(z.regexes.uuid7, 'Invalid UUIDv7')
  .toLowerCase()
  .openapi({ format: 'uuid', example: EXAMPLE_ID })
