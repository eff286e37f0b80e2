import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

type ApiErrorOptions = {
  details?: unknown
  headers?: Record<string, string>
  cause?: unknown
}

/**
 * An error the client is meant to see. `onError` renders every one as
 * `{ error, code, details? }`; `code` is stable, `error` is for people.
 */
export class ApiError extends HTTPException {
  readonly code: string
  readonly details: unknown
  readonly headers: Record<string, string>

  constructor(status: ContentfulStatusCode, code: string, message: string, options: ApiErrorOptions = {}) {
    super(status, { message, cause: options.cause })
    this.code = code
    this.details = options.details
    this.headers = options.headers ?? {}
  }
}

const REALM = 'Bearer realm="orgstack"'

/** The errors of the authentication guide, with its messages to the letter. */
export const authErrors = {
  invalidCredentials: () =>
    new ApiError(401, 'invalid_credentials', 'Invalid username or password', {
      headers: { 'WWW-Authenticate': REALM },
    }),
  missingAuthorization: () =>
    new ApiError(401, 'missing_authorization', 'Missing authorization header', {
      headers: { 'WWW-Authenticate': REALM },
    }),
  invalidToken: (expired = false) =>
    new ApiError(401, expired ? 'token_expired' : 'invalid_token', 'Invalid or expired token', {
      headers: {
        'WWW-Authenticate': `${REALM}, error="invalid_token", error_description="${expired ? 'The token has expired' : 'The token is invalid'}"`,
      },
    }),
  insufficientPermissions: () => new ApiError(403, 'insufficient_permissions', 'Insufficient permissions'),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new ApiError(429, 'too_many_attempts', 'Too many attempts', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
}

/** The errors of account management. */
export const userErrors = {
  notFound: () => new ApiError(404, 'user_not_found', 'User not found'),
  usernameTaken: () => new ApiError(409, 'username_taken', 'Username already taken'),
  emailTaken: () => new ApiError(409, 'email_taken', 'Email already registered'),
  lastAdmin: () => new ApiError(409, 'last_admin', 'Cannot remove the last admin'),
}

/** D1 failed or is unreachable: worth trying again shortly. */
export const serviceUnavailable = () =>
  new ApiError(503, 'service_unavailable', 'Service temporarily unavailable', { headers: { 'Retry-After': '5' } })
