import type { Context } from 'hono'
import { cors } from 'hono/cors'
import { createMiddleware } from 'hono/factory'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from '../app-env'
import { transportOf } from '../settings'
import { BOOKMARK_HEADER } from './d1-session'
import { ApiError } from './errors'

const HSTS = 'max-age=31536000; includeSubDomains'

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

/** Responses carry tokens; set after `next()`, when `compose` has turned any later error into the response. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.header('Cache-Control', 'no-store')
})

/** Refused, not redirected, so a client sending credentials over plain HTTP fails instead of working. */
export const httpsOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (transportOf(c.env).httpsOnly && !c.req.url.startsWith('https:')) {
    throw new ApiError('https_required')
  }
  await next()
})

const corsForOrigins = cors({
  origin: (origin, c: Context<AppEnv>) => (transportOf(c.env).corsOrigins.has(origin) ? origin : null),
  allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
  allowHeaders: ['Authorization', 'Content-Type', BOOKMARK_HEADER],
  exposeHeaders: ['Retry-After', 'X-Request-Id', BOOKMARK_HEADER],
  credentials: false,
  maxAge: 600,
})

export const corsFromEnv = createMiddleware<AppEnv>(async (c, next) =>
  transportOf(c.env).corsOrigins.size === 0 ? next() : corsForOrigins(c, next),
)
