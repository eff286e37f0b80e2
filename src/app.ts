import { bodyLimit } from 'hono/body-limit'
import { methodNotAllowed } from 'hono/method-not-allowed'
import { withDatabase } from './db/client'
import { ApiError } from './http/api-error'
import { handleError, handleNotFound } from './http/error-handler'
import { requestId } from './http/request-id'
import { requestLog } from './http/request-log'
import { corsFromEnv, httpsOnly, noStore, securityHeaders } from './http/transport'
import { auditEventsRouter } from './routes/audit-events'
import { authRouter } from './routes/auth'
import { createRouter } from './routes/create-router'
import { healthRouter } from './routes/health'
import { usersRouter } from './routes/users'

/** Request bodies here are a few hundred bytes; anything near this is not one of ours. */
export const MAX_BODY_BYTES = 16 * 1024

/** The whole Worker: tests build exactly what production runs. */
export function createApp() {
  const app = createRouter()

  // Registered first so that it wraps every other middleware: it sees their errors as answers.
  app.use('/api/*', noStore)
  app.use(
    requestId,
    requestLog,
    securityHeaders(),
    corsFromEnv,
    httpsOnly,
    methodNotAllowed({
      app,
      onMethodNotAllowed: (_c, methods) => {
        throw new ApiError(405, 'method_not_allowed', 'Method not allowed', { headers: { Allow: methods.join(', ') } })
      },
    }),
  )
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `Request body is larger than ${MAX_BODY_BYTES} bytes`)
      },
    }),
    withDatabase,
  )

  app.route('/api/health', healthRouter)
  app.route('/api/auth', authRouter)
  app.route('/api/users', usersRouter)
  app.route('/api/audit-events', auditEventsRouter)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  })
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'OrgStack API',
      version: '0.1.0',
      description: 'Authentication and organisation API. Protected routes take `Authorization: Bearer <token>`.',
    },
  })

  app.notFound(handleNotFound)
  app.onError(handleError)
  return app
}
