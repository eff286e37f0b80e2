import type { Context } from 'hono'
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../app-env'
import { transportOf } from '../settings'
import { ApiError } from './errors'

const HSTS = 'max-age=31536000; includeSubDomains'

/**
 * The headers every answer carries: nosniff, no referrer, no framing (`X-Frame-Options: DENY` and the
 * CSP's `frame-ancestors 'none'`), a CSP that loads nothing, no `X-Powered-By`; HSTS over HTTPS.
 */
export const securityHeaders = () => {
  const headers = secureHeaders({
    strictTransportSecurity: false,
    // Hono's default is SAMEORIGIN; DENY says what the CSP's `frame-ancestors 'none'` says, for older browsers.
    xFrameOptions: 'DENY',
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  })
  return createMiddleware<AppEnv>(async (c, next) => {
    await headers(c, next)
    if (c.req.url.startsWith('https:')) c.header('Strict-Transport-Security', HSTS)
  })
}

/**
 * `Cache-Control: no-store`, since answers carry tokens and user data. Set after `next()`: Hono's
 * `compose` has by then turned an error thrown by any later middleware or handler into the answer,
 * so an app that registers this first marks its 403, 405, 413 and 500 answers too.
 *
 * @example
 * app.use('/api/*', noStore) // before any other middleware
 */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.header('Cache-Control', 'no-store')
})

/** In production (`ENVIRONMENT=production`) a plain-HTTP request is refused, not redirected. */
export const httpsOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (transportOf(c.env).httpsOnly && !c.req.url.startsWith('https:')) {
    throw new ApiError('https_required')
  }
  await next()
})

const corsForOrigins = cors({
  origin: (origin, c: Context<AppEnv>) => (transportOf(c.env).corsOrigins.has(origin) ? origin : null),
  allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type'],
  exposeHeaders: ['Retry-After', 'X-Request-Id'],
  credentials: false,
  maxAge: 600,
})

/** CORS for exactly the origins in `CORS_ORIGINS` (comma-separated), without credentials; off when unset. */
export const corsFromEnv = createMiddleware<AppEnv>(async (c, next) =>
  transportOf(c.env).corsOrigins.size === 0 ? next() : corsForOrigins(c, next),
)
