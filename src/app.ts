import { withDatabase } from './db/client'
import { handleError, handleNotFound } from './http/error-handler'
import { answerMethodNotAllowed } from './http/method-not-allowed'
import { auditEventsRouter } from './routes/audit-events'
import { authRouter } from './routes/auth'
import { createRouter } from './routes/create-router'
import { healthRouter } from './routes/health'
import { usersRouter } from './routes/users'

/** The whole Worker: tests build exactly what production runs. */
export function createApp() {
  const app = createRouter()

  app.use('/api/*', withDatabase, async (c, next) => {
    await next()
    // Answers carry tokens and user data: no cache may keep them.
    c.header('Cache-Control', 'no-store')
  })

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

  answerMethodNotAllowed(app)
  app.notFound(handleNotFound)
  app.onError(handleError)
  return app
}
