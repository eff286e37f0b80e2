import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { AppEnv } from '../app-env'
import { clientRequestId } from './request-id'

/** One JSON line per request: the route pattern, never the raw path or query (ids, secrets), and never a body. */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now()
  await next()
  console.log(
    JSON.stringify({
      level: 'info',
      event: 'request',
      requestId: c.var.requestId,
      clientRequestId: clientRequestId(c.req.header('X-Request-Id')),
      method: c.req.method,
      route: routePath(c, -1),
      status: c.res.status,
      durationMs: Date.now() - started,
      userId: c.var.user?.id,
      apiKeyId: c.var.orgScope?.actor.apiKeyId ?? undefined,
    }),
  )
})
