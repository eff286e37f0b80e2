import type { Hook } from '@hono/zod-openapi'
import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from '../app-env'
import { isMissingSchema } from '../data/client'
import { isD1Error, loggableMessage } from '../data/d1-faults'
import { ConfigError } from '../settings'
import { ApiError } from './errors'

// biome-ignore lint/suspicious/noExplicitAny: the hook serves every route's input type
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    throw new ApiError('validation_error', {
      details: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    })
  }
}

const MIGRATE = 'npm run db:migrate:local (local database) or npm run db:migrate:remote (deployed)'

// The log names the setting, never its value; the hint only in development, so callers learn nothing of the config.
function misconfigured(err: ConfigError, development: boolean): ApiError {
  console.error(
    JSON.stringify({ level: 'error', event: 'server_misconfigured', setting: err.setting, message: err.message }),
  )
  const where = 'in .dev.vars (secrets: see .dev.vars.example) or wrangler.toml [vars], then restart the Worker'
  const hint = `${err.message}. Set ${err.setting} ${where}.`
  return new ApiError('server_misconfigured', development ? { hint } : {})
}

function toApiError(err: Error, development: boolean): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof HTTPException) {
    // The guide makes every malformed request a 400, @hono/zod-openapi's 415 media-type check included.
    if (err.status === 415) return new ApiError('unsupported_media_type')
    if (err.status === 400) return new ApiError('invalid_json')
  }
  if (isD1Error(err)) {
    // drizzle's message includes the query's parameters (password hashes among them): log D1's only.
    const message = loggableMessage(err)
    if (isMissingSchema(message)) {
      console.error(JSON.stringify({ level: 'error', event: 'schema_not_migrated', message, fix: MIGRATE }))
      return new ApiError('schema_not_migrated')
    }
    console.error(JSON.stringify({ level: 'error', event: 'd1_error', message }))
    return new ApiError('service_unavailable')
  }
  if (err instanceof ConfigError) return misconfigured(err, development)
  console.error(
    JSON.stringify({ level: 'error', event: 'unhandled_error', name: err.name, message: loggableMessage(err) }),
  )
  return new ApiError('internal_error')
}

/** The only place an error becomes a response; never with a stack. */
const render = (c: Context<AppEnv>, { status, code, message, hint, details, headers }: ApiError) =>
  c.json(
    { error: message, code, ...(hint === undefined ? {} : { hint }), ...(details === undefined ? {} : { details }) },
    status,
    headers,
  )

export const handleError: ErrorHandler<AppEnv> = (err, c) =>
  render(c, toApiError(err, c.env.ENVIRONMENT === 'development'))

export const handleNotFound: NotFoundHandler<AppEnv> = (c) => render(c, new ApiError('not_found'))
