import type { ErrorCode } from './api-types.js'

export type { ErrorCode }

/** The body of every error the API answers. */
type ErrorBody = { error: string; code: ErrorCode; hint?: string; details?: unknown }

/**
 * An error answer of the API, named by its stable `code` from the server's own catalogue. Its
 * message is the server's `error`, never a token.
 *
 * @example
 * try {
 *   await orgstack.login('ada', 'wrong')
 * } catch (error) {
 *   if (error instanceof ApiClientError && error.code === 'too_many_attempts') wait(error.retryAfter)
 * }
 */
export class ApiClientError extends Error {
  readonly status: number
  readonly code: ErrorCode
  readonly hint: string | undefined
  readonly details: unknown
  /** Seconds to wait before trying again, where the answer gives `Retry-After`. */
  readonly retryAfter: number | undefined

  constructor(status: number, body: ErrorBody, retryAfter?: number) {
    super(body.error)
    this.name = 'ApiClientError'
    this.status = status
    this.code = body.code
    this.hint = body.hint
    this.details = body.details
    this.retryAfter = retryAfter
  }
}

/** The error code of an error answer, or undefined for any other; reads a copy, so `res` stays unread. */
export async function errorCodeOf(res: Response): Promise<ErrorCode | undefined> {
  if (res.ok) return undefined
  try {
    const body: unknown = await res.clone().json()
    return isErrorBody(body) ? body.code : undefined
  } catch {
    return undefined
  }
}

/**
 * The `ApiClientError` an error answer stands for.
 *
 * @example
 * const res = await orgstack.users.$get({ query: {} })
 * if (!res.ok) throw await errorFrom(res)
 */
export async function errorFrom(res: Pick<Response, 'status' | 'headers' | 'text'>): Promise<ApiClientError> {
  const text = await res.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {}
  const retryAfter = Number.parseInt(res.headers.get('Retry-After') ?? '', 10)
  // Not one of ours (a proxy's page): described by its status alone.
  const known = isErrorBody(body) ? body : { error: `HTTP ${res.status}`, code: 'internal_error' as const }
  return new ApiClientError(res.status, known, Number.isNaN(retryAfter) ? undefined : retryAfter)
}

const isErrorBody = (body: unknown): body is ErrorBody =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as ErrorBody).error === 'string' &&
  typeof (body as ErrorBody).code === 'string'
