import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Request bodies here are a few hundred bytes; anything near this is not one of ours. */
export const MAX_BODY_BYTES = 16 * 1024

const REALM = 'Bearer realm="orgstack"'
const tokenChallenge = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`

type ErrorEntry = {
  status: ContentfulStatusCode
  /** For people; the authentication guide's words where it has them. */
  message: string
  /** When it is answered: the OpenAPI document's words. */
  description: string
  /** Headers every answer of this code carries. */
  headers?: Record<string, string>
}

/**
 * Every error the API answers, by its stable `code`. Handlers throw `new ApiError(code)`;
 * the error handler renders `{ error: message, code }`; the OpenAPI document lists the codes
 * as an enum and describes each status from here.
 */
export const ERRORS = {
  validation_error: {
    status: 400,
    message: 'Invalid request',
    description: 'fields or query parameters that fail validation (see `details`)',
  },
  invalid_json: { status: 400, message: 'Malformed JSON in request body', description: 'a body that does not parse' },
  unsupported_media_type: {
    status: 400,
    message: 'Content-Type must be application/json',
    description: 'a body sent as anything but JSON',
  },
  invalid_credentials: {
    status: 401,
    message: 'Invalid username or password',
    description: 'an unknown user, a wrong password or a disabled account, alike',
    headers: { 'WWW-Authenticate': REALM },
  },
  missing_authorization: {
    status: 401,
    message: 'Missing authorization header',
    description: 'no `Authorization` header',
    headers: { 'WWW-Authenticate': REALM },
  },
  invalid_token: {
    status: 401,
    message: 'Invalid or expired token',
    description: 'a bad, forged, malformed or revoked token, or another scheme than Bearer',
    headers: { 'WWW-Authenticate': tokenChallenge('The token is invalid') },
  },
  token_expired: {
    status: 401,
    message: 'Invalid or expired token',
    description: 'a genuine token past its `exp`',
    headers: { 'WWW-Authenticate': tokenChallenge('The token has expired') },
  },
  insufficient_permissions: {
    status: 403,
    message: 'Insufficient permissions',
    description: "the caller's role does not allow it",
  },
  https_required: {
    status: 403,
    message: 'HTTPS is required',
    description: 'plain HTTP when `ENVIRONMENT=production`',
  },
  user_not_found: { status: 404, message: 'User not found', description: 'no user has that id' },
  not_found: { status: 404, message: 'Not found', description: 'an unknown route' },
  method_not_allowed: {
    status: 405,
    message: 'Method not allowed',
    description: 'a known route, another method; `Allow` lists the right ones',
  },
  username_taken: { status: 409, message: 'Username already taken', description: 'the username is taken' },
  email_taken: { status: 409, message: 'Email already registered', description: 'the email is taken' },
  last_admin: {
    status: 409,
    message: 'Cannot remove the last admin',
    description: 'the change would leave no active admin',
  },
  payload_too_large: {
    status: 413,
    message: `Request body is larger than ${MAX_BODY_BYTES} bytes`,
    description: `a body over ${MAX_BODY_BYTES / 1024} KB, refused before parsing`,
  },
  too_many_attempts: {
    status: 429,
    message: 'Too many attempts',
    description: 'too many password checks for this account or client: try again after `Retry-After` seconds',
  },
  internal_error: { status: 500, message: 'Internal server error', description: 'anything unexpected (logged)' },
  service_unavailable: {
    status: 503,
    message: 'Service temporarily unavailable',
    description: 'D1 failed or is unreachable: try again after `Retry-After` seconds',
    headers: { 'Retry-After': '5' },
  },
} as const satisfies Record<string, ErrorEntry>

export type ErrorCode = keyof typeof ERRORS

export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]

type ApiErrorOptions = {
  details?: unknown
  /** Headers of this answer, beside the code's own (`Retry-After`, `Allow`). */
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * An error the client is meant to see, named by its code in `ERRORS`. `onError`
 * renders every one as `{ error, code, details? }`.
 *
 * @example
 * throw new ApiError('too_many_attempts', { headers: { 'Retry-After': '30' } })
 */
export class ApiError extends HTTPException {
  readonly code: ErrorCode
  readonly details: unknown
  readonly headers: Record<string, string>

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    const entry: ErrorEntry = ERRORS[code]
    super(entry.status, { message: entry.message, cause: options.cause })
    this.code = code
    this.details = options.details
    this.headers = { ...entry.headers, ...options.headers }
  }
}
