import { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../app-env'
import { validationHook } from '../http/error-handler'

/** Every router, and the app itself, validates with the same hook. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
