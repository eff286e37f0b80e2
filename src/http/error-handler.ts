import type { Hook } from '@hono/zod-openapi'
import type { ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../app-env'
import { ConfigError } from '../config'
import { isD1Error, loggableMessage } from '../db/d1-faults'
import { ApiError, serviceUnavailable } from './api-error'

/** Turns a failed Zod validation of any request part into one 400 with the issues. */
// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route's input type
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    throw new ApiError(400, 'validation_error', 'Invalid request', {
      details: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    })
  }
}

function toApiError(err: Error): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof HTTPException) {
    // Hono's own request errors. The guide answers every malformed request with
    // 400, so the 415 of @hono/zod-openapi's media-type gate is reported as one.
    if (err.status === 415) {
      return new ApiError(400, 'unsupported_media_type', 'Content-Type must be application/json')
    }
    if (err.status === 400) return new ApiError(400, 'invalid_json', 'Malformed JSON in request body')
  }
  if (isD1Error(err)) {
    // drizzle's own message spells out the query's parameters (password hashes among them): log D1's only.
    console.error(JSON.stringify({ level: 'error', event: 'd1_error', message: loggableMessage(err) }))
    return serviceUnavailable()
  }
  const event = err instanceof ConfigError ? 'config_error' : 'unhandled_error'
  console.error(JSON.stringify({ level: 'error', event, name: err.name, message: loggableMessage(err) }))
  return new ApiError(500, 'internal_error', 'Internal server error')
}

/** The one place an error becomes a response: `{ error, code, details? }`, never a stack. */
export const handleError: ErrorHandler<AppEnv> = (err, c) => {
  const { status, code, message, details, headers } = toApiError(err)
  return c.json({ error: message, code, ...(details === undefined ? {} : { details }) }, status, headers)
}

export const handleNotFound: NotFoundHandler<AppEnv> = (c) => c.json({ error: 'Not found', code: 'not_found' }, 404)
