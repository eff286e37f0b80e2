import { z } from '@hono/zod-openapi'
import { ERROR_CODES, ERRORS, type ErrorCode, type ErrorHeader } from './errors'

const ErrorCodeSchema = z
  .enum(ERROR_CODES)
  .openapi('ErrorCode', { description: 'Stable, for programs. Each response lists the codes it can carry.' })

const ErrorSchema = z
  .object({
    error: z.string().openapi({ description: "For people: the code's message", example: 'Invalid or expired token' }),
    code: ErrorCodeSchema,
    hint: z.string().optional().openapi({ description: 'What to do about it, where the message alone may not say' }),
    details: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'With `validation_error`: each failing field (dotted; empty for the whole) and why' }),
  })
  .openapi('Error')

type ErrorBody<C extends ErrorCode> = Omit<z.infer<typeof ErrorSchema>, 'code'> & { code: C }

type StatusOf<C extends ErrorCode> = (typeof ERRORS)[C]['status']

type CodesWith<C extends ErrorCode, S> = { [K in C]: StatusOf<K> extends S ? K : never }[C]

/** Declared once under `components.headers`. */
export const ERROR_HEADERS = {
  'WWW-Authenticate': {
    description: 'The Bearer challenge (RFC 6750); for a token that was refused, `error="invalid_token"` and why',
    required: true,
    schema: { type: 'string' },
    example: 'Bearer realm="orgstack"',
  },
  'Retry-After': {
    description: 'Seconds to wait before trying again',
    required: true,
    schema: { type: 'integer', minimum: 1 },
    example: 30,
  },
  Allow: {
    description: 'The methods the route takes (never HEAD, which no route takes)',
    required: true,
    schema: { type: 'string' },
    example: 'GET, PATCH',
  },
} as const satisfies Record<ErrorHeader, object>

const listed = (codes: readonly ErrorCode[]) => codes.map((code) => `\`${code}\``).join(', ')

/** A `$ref` when every code carries the header, otherwise an optional copy naming the codes that do. */
function headersOf(codes: readonly ErrorCode[]) {
  const names = [...new Set(codes.flatMap((code) => Object.keys(ERRORS[code].headers) as ErrorHeader[]))]
  if (names.length === 0) return undefined
  return Object.fromEntries(
    names.map((name) => {
      const carriers = codes.filter((code) => name in ERRORS[code].headers)
      if (carriers.length === codes.length) return [name, { $ref: `#/components/headers/${name}` }]
      const { description, ...header } = ERROR_HEADERS[name]
      return [name, { ...header, required: false, description: `${description}; with ${listed(carriers)}` }]
    }),
  )
}

/** What the error handler renders for `code`. */
const exampleOf = <C extends ErrorCode>(code: C): ErrorBody<C> => {
  const { message, hint } = ERRORS[code]
  return { error: message, code, ...(hint === undefined ? {} : { hint }) }
}

/** One status's error response, its body's `code` narrowed to `codes`, with an example of each. */
export function errorResponse<C extends ErrorCode>(codes: readonly C[]) {
  return {
    description: codes.map((code) => `\`${code}\`: ${ERRORS[code].description}`).join('; '),
    headers: headersOf(codes),
    content: {
      'application/json': {
        schema: ErrorSchema.extend({ code: z.enum(codes as [C, ...C[]]) }) as z.ZodType<ErrorBody<C>>,
        examples: Object.fromEntries(codes.map((code) => [code, { value: exampleOf(code) }])),
      },
    },
  }
}

export type ErrorResponses<C extends ErrorCode> = {
  [S in StatusOf<C>]: ReturnType<typeof errorResponse<CodesWith<C, S>>>
}

/** An operation's error responses for `codes`, one per status, all from `ERRORS`. */
export function errorResponses<C extends ErrorCode>(codes: readonly C[]): ErrorResponses<C> {
  const wanted = ERROR_CODES.filter((code): code is C => (codes as readonly ErrorCode[]).includes(code))
  const statuses = [...new Set(wanted.map((code) => ERRORS[code].status))]
  return Object.fromEntries(
    statuses.map((status) => [status, errorResponse(wanted.filter((code) => ERRORS[code].status === status))]),
  ) as ErrorResponses<C>
}
