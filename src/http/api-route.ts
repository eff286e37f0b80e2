import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { type ErrorResponses, errorResponses } from './error-responses'
import { ApiError, type ErrorCode } from './errors'
import type { Guard } from './guards'

/**
 * What any operation can answer, whatever it does: plain HTTP in production (`httpsOnly`), a
 * body too large (`bodyLimit`, which runs on every /api/ route, bodies or not), a bug, a setting
 * missing or out of range (every operation reads a secret, health all of them), and a D1 that
 * fails or lacks a migration (every operation reads D1, the guards included).
 */
const ANY_OPERATION = [
  'https_required',
  'payload_too_large',
  'internal_error',
  'server_misconfigured',
  'service_unavailable',
  'schema_not_migrated',
] as const satisfies readonly ErrorCode[]

const BODY_ERRORS = ['invalid_json', 'unsupported_media_type', 'validation_error'] as const

type RequestParts = NonNullable<RouteConfig['request']>

/** `application/json`, in any case, with parameters (`; charset=utf-8`) or none. */
const JSON_MEDIA_TYPE = /^application\/json[\t ]*(;|$)/i

/**
 * Refuses a body sent as any media type but the one every body is declared in: @hono/zod-openapi
 * reads every `application/*+json` (`merge-patch+json`, `vnd.api+json`) as JSON. No `Content-Type`
 * is left to it: it refuses a body without one.
 */
const jsonOnly = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('Content-Type')
  if (type !== undefined && !JSON_MEDIA_TYPE.test(type)) throw new ApiError('unsupported_media_type')
  await next()
})

/** What the validators answer before the handler runs, given the parts of the request a route reads. */
type RequestErrors<Q> = Q extends { body: object }
  ? (typeof BODY_ERRORS)[number]
  : Q extends { params: object } | { query: object }
    ? 'validation_error'
    : never

const requestErrors = (request: RequestParts | undefined): readonly ErrorCode[] => {
  if (request?.body) return BODY_ERRORS
  return request?.params || request?.query ? ['validation_error'] : []
}

/**
 * A route guarded by `guard` and documented with every answer it can give: its own
 * `responses`, and the error answers of the codes it lists in `errors`, of the guard, of the
 * request parts it validates, and of any operation.
 *
 * @example
 * const get = apiRoute(signedIn, {
 *   method: 'get', path: '/{id}', operationId: 'getUser', …,
 *   request: { params: UserIdParamsSchema },
 *   responses: { 200: userResponse('The user') },
 *   errors: ['insufficient_permissions', 'user_not_found'],
 * })
 */
export function apiRoute<
  P extends string,
  R extends Omit<RouteConfig, 'path' | 'security' | 'middleware'> & { path: P },
  G extends Guard,
  C extends ErrorCode = never,
>(guard: G, { errors = [], ...route }: R & { errors?: readonly C[] }) {
  type Codes = C | G['errors'][number] | RequestErrors<R['request']> | (typeof ANY_OPERATION)[number]
  const codes = [...errors, ...guard.errors, ...requestErrors(route.request), ...ANY_OPERATION] as Codes[]
  return createRoute({
    ...route,
    security: guard.security,
    // After the guard, so that a caller without a token is told that first, as before any validator.
    middleware: route.request?.body ? [...guard.middleware, jsonOnly] : guard.middleware,
    responses: { ...route.responses, ...errorResponses(codes) } as R['responses'] & ErrorResponses<Codes>,
  })
}
