import { createMiddleware } from 'hono/factory'
import type { Router } from 'hono/router'
import type { AppEnv } from '../app-env'
import { ApiError } from './errors'

type Routed = { router: Router<[unknown, { method: string }]>; routes: readonly { method: string }[] }

/** 405 with `Allow` for a known path; also for HEAD, which Hono would serve with GET's handler, undocumented. */
export function methodNotAllowed(app: Routed) {
  // Read lazily, once every route is registered; ALL is middleware, not a method a route takes.
  let methods: string[] | undefined
  const allowedAt = (path: string): string[] => {
    methods ??= [...new Set(app.routes.map((route) => route.method).filter((method) => method !== 'ALL'))]
    return methods.filter((method) => app.router.match(method, path)[0].some(([[, route]]) => route.method === method))
  }
  const notAllowed = (allowed: string[]) =>
    new ApiError('method_not_allowed', { headers: { Allow: allowed.join(', ') } })

  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'HEAD') {
      const allowed = allowedAt(c.req.path)
      if (allowed.length > 0) throw notAllowed(allowed)
    }
    await next()
    if (c.res.status !== 404 || c.error) return
    const allowed = allowedAt(c.req.path)
    if (allowed.length > 0 && !allowed.includes(c.req.method)) throw notAllowed(allowed)
  })
}
