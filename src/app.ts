import { bodyLimit } from 'hono/body-limit'
import { except } from 'hono/combine'
import { docsContentSecurityPolicy, docsRouter } from './docs/docs-router'
import { introduction } from './docs/introduction'
import { registerComponents } from './http/components'
import { d1Session } from './http/d1-session'
import { handleError, handleNotFound } from './http/error-handler'
import { ApiError, MAX_BODY_BYTES } from './http/errors'
import { loadSettings } from './http/load-settings'
import { methodNotAllowed } from './http/method-not-allowed'
import { requestId } from './http/request-id'
import { requestLog } from './http/request-log'
import { corsFromEnv, httpsOnly, noStore, securityHeaders } from './http/transport'
import { auditEventsRouter } from './routes/audit/events'
import { authRouter } from './routes/auth'
import { createRouter } from './routes/create-router'
import { healthRouter } from './routes/health'
import { invitationsRouter } from './routes/invitations'
import { orgsRouter } from './routes/orgs'
import { usersRouter } from './routes/users'

const OPENAPI_PATH = '/api/openapi.json'

/** The whole Worker: tests build exactly what production runs. */
export function createApp() {
  const app = createRouter()

  // First, so that it wraps every other middleware and sees their errors as responses.
  app.use('/api/*', noStore)
  // First too, so that its CSP replaces the one securityHeaders sets on every response.
  app.use('/docs/*', docsContentSecurityPolicy)
  app.use(requestId, requestLog, securityHeaders(), corsFromEnv, httpsOnly, methodNotAllowed(app))
  app.use(
    '/api/*',
    // Before the body is read; the document needs no setting, so it is served while one is bad.
    except(OPENAPI_PATH, loadSettings),
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError('payload_too_large')
      },
    }),
    except(OPENAPI_PATH, d1Session),
  )

  // Chained, so that the routes' paths, bodies and responses are in `AppType`.
  const routes = app
    .route('/api/health', healthRouter)
    .route('/api/auth', authRouter)
    .route('/api/users', usersRouter)
    .route('/api/audit-events', auditEventsRouter)
    .route('/api/orgs', orgsRouter)
    .route('/api/invitations', invitationsRouter)
  app.route('/', docsRouter)
  // For whoever opens the bare URL: where the docs and the document are. Not in the document, like /docs.
  app.get('/', (c) => c.json({ name: 'OrgStack API', docs: '/docs', openapi: OPENAPI_PATH }, 200))

  registerComponents(app.openAPIRegistry)
  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'OrgStack API',
      version: '0.1.0',
      description: introduction,
    },
    // Relative: the document is served by the API it describes, wherever that is deployed.
    servers: [{ url: '/', description: 'The Worker serving this document' }],
  })

  app.notFound(handleNotFound)
  app.onError(handleError)
  return routes
}

/** For a typed client: `hc<AppType>(baseUrl)`. */
export type AppType = ReturnType<typeof createApp>
