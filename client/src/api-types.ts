// The one place the client meets the Worker's source; the build replaces it with the expanded types.
import type { ExtractSchema } from 'hono/types'
import type { AppType } from '../../src/app.js'

/** Every route of the Worker by path and method: its input and each answer by status. */
export type ApiSchema = ExtractSchema<AppType>

export type { ErrorCode } from '../../src/http/errors.js'
