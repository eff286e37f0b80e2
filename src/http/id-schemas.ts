import { z } from '@hono/zod-openapi'

const EXAMPLE_ID = '019ac1f2-7a3b-7cde-8f01-23456789abcd'

/** An id as the API returns it: a lower-case UUIDv7. */
export const idSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  .openapi({ format: 'uuid', example: EXAMPLE_ID })

/**
 * A UUIDv7 from a path or query in either case, lower-cased because ids are stored, compared and sorted that way.
 * No example: the docs page's "Try it out" would pre-fill it, and a made-up id finds nothing.
 */
export const idParamSchema = z
  .string()
  .regex(z.regexes.uuid7, 'Invalid UUIDv7')
  .toLowerCase()
  .openapi({ format: 'uuid' })
