import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Request bodies here are a few hundred bytes; anything near this is not one of ours. */
export const MAX_BODY_BYTES = 16 * 1024

const REALM = 'Bearer realm="orgstack"'
const tokenChallenge = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`

export type ErrorHeader = 'WWW-Authenticate' | 'Retry-After' | 'Allow'

/** Marks a header whose value the thrower passes in `ApiErrorOptions.headers`. */
const GIVEN_WHEN_THROWN = null

/** `message` is for people (the authentication guide's wording); `description` is for the OpenAPI document. */
const entry = <S extends ContentfulStatusCode>(
  status: S,
  message: string,
  description: string,
  { headers = {}, hint }: { headers?: Partial<Record<ErrorHeader, string | null>>; hint?: string } = {},
) => ({ status, message, description, headers, hint })

/** Every error the API returns, by stable `code`: the single source for responses and the OpenAPI document. */
export const ERRORS = {
  // 400: the guide treats every malformed request alike.
  validation_error: entry(400, 'Invalid request', 'fields or query parameters that fail validation (see `details`)'),
  invalid_json: entry(400, 'Malformed JSON in request body', 'a body that does not parse'),
  query_not_allowed: entry(
    400,
    'Query parameters are not accepted here',
    'any query string on an operation that takes a credential: it belongs in the body, which logs do not keep',
  ),
  unsupported_media_type: entry(
    400,
    'Content-Type must be application/json',
    'a body sent as any media type but `application/json` (`application/merge-patch+json` included), or without one',
  ),
  invalid_bookmark: entry(
    400,
    'Invalid X-D1-Bookmark header',
    'an `X-D1-Bookmark` header that is not one this API answered: empty, over 256 characters, or other than letters, digits and `-`',
    { hint: 'Send back the `X-D1-Bookmark` of an earlier answer unchanged, or leave the header out.' },
  ),
  // 401: the guide's three messages, each with a Bearer challenge (RFC 6750).
  invalid_credentials: entry(
    401,
    'Invalid username or password',
    'an unknown user, a wrong password or a disabled account, alike',
    { headers: { 'WWW-Authenticate': REALM } },
  ),
  missing_authorization: entry(
    401,
    'Missing authorization header',
    'no `Authorization` header, or one without Bearer credentials: another scheme, a bare token, or extra parts',
    {
      headers: { 'WWW-Authenticate': REALM },
      hint: 'Send the token that login returned as `Authorization: Bearer <token>`.',
    },
  ),
  invalid_token: entry(
    401,
    'Invalid or expired token',
    'a bad, forged, malformed or revoked token sent as `Authorization: Bearer <token>`',
    { headers: { 'WWW-Authenticate': tokenChallenge('The token is invalid') } },
  ),
  token_expired: entry(401, 'Invalid or expired token', 'a genuine token past its `exp`', {
    headers: { 'WWW-Authenticate': tokenChallenge('The token has expired') },
  }),
  // One code for every refusal: why (replayed, revoked, expired, unknown) is logged, not returned.
  invalid_refresh_token: entry(
    401,
    'Invalid or expired token',
    'a refresh token that is unknown, malformed, expired, revoked or already rotated: log in again',
    { headers: { 'WWW-Authenticate': tokenChallenge('The refresh token is invalid or expired') } },
  ),
  insufficient_permissions: entry(
    403,
    'Insufficient permissions',
    "the caller's role does not allow it, or an API key was sent where it is not accepted (another organization, a user route, key management, invitations)",
  ),
  https_required: entry(403, 'HTTPS is required', 'plain HTTP when `ENVIRONMENT=production`', {
    hint: 'Call the API over https://. To run it locally over http://localhost, start it with `npm run dev`, which sets ENVIRONMENT=development in .dev.vars.',
  }),
  user_not_found: entry(404, 'User not found', 'no user has that id'),
  // Also for non-members, so they cannot learn whether an organization exists.
  org_not_found: entry(404, 'Organization not found', 'no organization has that id, or the caller is not a member'),
  member_not_found: entry(404, 'Member not found', 'the user is not a member of the organization'),
  // Also for another account's invitation, so its existence and recipient are not disclosed.
  invitation_not_found: entry(
    404,
    'Invitation not found',
    'no pending invitation has that id for the caller (or in the organization): expired, revoked, accepted or declined, or never theirs',
  ),
  api_key_not_found: entry(
    404,
    'API key not found',
    "no live API key of the organization has that id: never created, revoked already, or another organization's",
  ),
  not_found: entry(404, 'Not found', 'an unknown route'),
  method_not_allowed: entry(405, 'Method not allowed', 'a known route, another method; `Allow` lists the right ones', {
    headers: { Allow: GIVEN_WHEN_THROWN },
  }),
  username_taken: entry(409, 'Username already taken', 'the username is taken'),
  email_taken: entry(409, 'Email already registered', 'the email is taken'),
  last_admin: entry(409, 'Cannot remove the last admin', 'the change would leave no active admin'),
  org_slug_taken: entry(409, 'Organization slug already taken', 'another organization has the slug'),
  already_member: entry(409, 'Already a member', 'the user is a member of the organization already'),
  already_invited: entry(
    409,
    'Already invited',
    'the organization has a pending invitation to that username or email',
    { hint: 'Revoke the pending invitation first to invite with another role, or wait for it to be answered.' },
  ),
  invitation_limit_reached: entry(
    409,
    'Too many pending invitations',
    'the organization has `MAX_PENDING_INVITATIONS` pending invitations',
    { hint: 'Revoke pending invitations, or wait for them to be answered or to expire.' },
  ),
  api_key_limit_reached: entry(
    409,
    'API key limit reached',
    'the organization has `MAX_API_KEYS_PER_ORG` live API keys',
    { hint: 'Revoke a key that is no longer used first.' },
  ),
  org_limit_reached: entry(
    409,
    'Organization limit reached',
    'the caller belongs to `MAX_ORGS_PER_USER` organizations already',
    { hint: 'Leave an organization first.' },
  ),
  last_owner: entry(409, 'Cannot remove the last owner', 'the change would leave an organization without an owner', {
    hint: 'Make another member an owner first, or delete the organization. An account that is the only owner of an organization cannot be deleted either.',
  }),
  // Not 401: a client that treats 401 as "signed out" would drop a session that is still valid.
  current_password_incorrect: entry(
    422,
    'Current password is incorrect',
    'the signed-in caller sent a wrong `currentPassword`; the session stays valid',
  ),
  payload_too_large: entry(
    413,
    `Request body is larger than ${MAX_BODY_BYTES} bytes`,
    `a body over ${MAX_BODY_BYTES / 1024} KB, refused before parsing`,
  ),
  too_many_attempts: entry(
    429,
    'Too many attempts',
    'too many password checks for this account or client, or too many wrong API keys from this client: try again after `Retry-After` seconds',
    { headers: { 'Retry-After': GIVEN_WHEN_THROWN } },
  ),
  too_many_invitations: entry(
    429,
    'Too many invitations',
    'the caller sent `MAX_INVITATIONS_PER_HOUR` invitations in the last hour: try again after `Retry-After` seconds',
    { headers: { 'Retry-After': GIVEN_WHEN_THROWN } },
  ),
  // Not 401: the refresh token is still valid, and the client must keep it.
  too_many_refreshes: entry(
    429,
    'Too many refreshes',
    "the login's refreshes went past `REFRESH_ROTATIONS_PER_MINUTE` at once (then as many a minute): the refresh token is still good; try again after `Retry-After` seconds",
    { headers: { 'Retry-After': GIVEN_WHEN_THROWN } },
  ),
  internal_error: entry(500, 'Internal server error', 'anything unexpected (logged)'),
  // The setting is logged; only in development does the hint name it.
  server_misconfigured: entry(
    503,
    'Server is misconfigured',
    'a secret (`JWT_SECRET`, `PASSWORD_PEPPER`) is missing or shorter than 32 bytes, or a var is out of range; the log names it',
  ),
  service_unavailable: entry(
    503,
    'Service temporarily unavailable',
    'D1 failed or is unreachable: try again after `Retry-After` seconds',
    { headers: { 'Retry-After': '5' } },
  ),
  // The fix is logged for the operator, not returned to callers.
  schema_not_migrated: entry(
    503,
    'Database schema is not migrated',
    "D1 lacks a table or column of the Worker's schema",
  ),
}

export type ErrorCode = keyof typeof ERRORS

export const ERROR_CODES = Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]

type ApiErrorOptions = {
  details?: unknown
  /** Replaces the code's own hint. */
  hint?: string
  /** Values of the code's `GIVEN_WHEN_THROWN` headers (`Retry-After`, `Allow`). */
  headers?: Partial<Record<ErrorHeader, string>>
  cause?: unknown
}

const fixedHeaders = (headers: Partial<Record<ErrorHeader, string | null>>) =>
  Object.fromEntries(
    Object.entries(headers).filter((header): header is [string, string] => header[1] !== GIVEN_WHEN_THROWN),
  )

/** An error the client is meant to see, rendered by `handleError` from its entry in `ERRORS`. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode
  readonly details: unknown
  readonly headers: Record<string, string>
  readonly hint: string | undefined

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    const { status, message, headers, hint } = ERRORS[code]
    super(status, { message, cause: options.cause })
    this.code = code
    this.hint = options.hint ?? hint
    this.details = options.details
    this.headers = { ...fixedHeaders(headers), ...options.headers }
  }
}
