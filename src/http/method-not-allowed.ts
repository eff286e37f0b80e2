import { createMiddleware } from 'hono/factory'
import type { Router } from 'hono/router'
import type { AppEnv } from '../app-env'
import { ApiError } from './errors'

/** What the middleware reads of an app: its router, whose entries name their route's method. */
type Routed = { router: Router<[unknown, { method: string }]>; routes: readonly { method: string }[] }

/**
 * Answers 405 `method_not_allowed` to a method a known path does not take, with `Allow` listing
 * those it does. HEAD is one it does not: Hono would answer it with GET's handler, which no
 * operation of the OpenAPI document declares, and Hono's own `methodNotAllowed` lists HEAD
 * beside every GET.
 *
 * @example
 * app.use(methodNotAllowed(app)) // after the middleware whose refusals come first
 */
export function methodNotAllowed(app: Routed) {
  // Read on first use, once every route is registered; `app.use`'s middleware is method ALL.
  let methods: string[] | undefined
  const allowedAt = (path: string): string[] => {
    methods ??= [...new Set(app.routes.map((route) => route.method).filter((method) => method !== 'ALL'))]
    return methods.filter((method) => app.router.match(method, path)[0].some(([[, route]]) => route.method === method))
  }
  const refusal = (allowed: string[]) => new ApiError('method_not_allowed', { headers: { Allow: allowed.join(', ') } })

  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'HEAD') {
      const allowed = allowedAt(c.req.path)
      if (allowed.length > 0) throw refusal(allowed)
    }
    await next()
    if (c.res.status !== 404 || c.error) return
    const allowed = allowedAt(c.req.path)
    if (allowed.length > 0 && !allowed.includes(c.req.method)) throw refusal(allowed)
  })
}
