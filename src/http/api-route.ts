import { createRoute, type RouteConfig } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { BOOKMARK_HEADER_REF, BOOKMARK_PARAMETER_REF } from './d1-session-docs'
import { type ErrorResponses, errorResponses } from './error-responses'
import { ApiError, type ErrorCode } from './errors'
import type { Guard } from './guards'

// Global middleware, config and D1 can fail on every operation, the guards included.
const ANY_OPERATION = [
  'https_required',
  'invalid_bookmark',
  'payload_too_large',
  'internal_error',
  'server_misconfigured',
  'service_unavailable',
  'schema_not_migrated',
] as const satisfies readonly ErrorCode[]

const BODY_ERRORS = ['invalid_json', 'unsupported_media_type', 'validation_error'] as const

type RequestParts = NonNullable<RouteConfig['request']>

const JSON_MEDIA_TYPE = /^application\/json[\t ]*(;|$)/i

// @hono/zod-openapi would parse any `application/*+json` as JSON; it refuses a missing Content-Type itself.
const jsonOnly = createMiddleware<AppEnv>(async (c, next) => {
  const type = c.req.header('Content-Type')
  if (type !== undefined && !JSON_MEDIA_TYPE.test(type)) throw new ApiError('unsupported_media_type')
  await next()
})

type RequestErrors<Q> = Q extends { body: object }
  ? (typeof BODY_ERRORS)[number]
  : Q extends { params: object } | { query: object }
    ? 'validation_error'
    : never

const requestErrors = (request: RequestParts | undefined): readonly ErrorCode[] => {
  if (request?.body) return BODY_ERRORS
  return request?.params || request?.query ? ['validation_error'] : []
}

/** Any answer, an error's too, may carry the session's bookmark. */
const withBookmarkHeader = <T extends Record<string, { headers?: object }>>(responses: T): T =>
  Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      { ...response, headers: { ...response.headers, ...BOOKMARK_HEADER_REF } },
    ]),
  ) as T

/** A guarded route that documents its `errors` plus those of its guard, its validators and every operation. */
export function apiRoute<
  P extends string,
  R extends Omit<RouteConfig, 'path' | 'security' | 'middleware'> & { path: P },
  G extends Guard,
  C extends ErrorCode = never,
>(guard: G, { errors = [], ...route }: R & { errors?: readonly C[] }) {
  type Codes = C | G['errors'][number] | RequestErrors<R['request']> | (typeof ANY_OPERATION)[number]
  const codes = [...errors, ...guard.errors, ...requestErrors(route.request), ...ANY_OPERATION] as Codes[]
  const responses = { ...route.responses, ...errorResponses(codes) } as R['responses'] & ErrorResponses<Codes>
  return createRoute({
    ...route,
    parameters: [BOOKMARK_PARAMETER_REF],
    security: guard.security,
    // After the guard, so a caller without a token gets 401 before any body error.
    middleware: route.request?.body ? [...guard.middleware, jsonOnly] : guard.middleware,
    responses: withBookmarkHeader(responses),
  })
}
