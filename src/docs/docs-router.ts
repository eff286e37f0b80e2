import { type Handler, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { DOCS_CSP, DOCS_INIT_SCRIPT, DOCS_PAGE } from './docs-page'

// Ours, changed by any deploy: cached briefly.
const PAGE_CACHE = 'public, max-age=300'
// Swagger UI's, changed only with the package; the ETag makes revalidation cheap.
const ASSET_CACHE = 'public, max-age=3600'

// Only the files the page loads; the rest of swagger-ui-dist is never served.
const SWAGGER_UI_FILES = new Set(['index.css', 'swagger-ui.css', 'swagger-ui-bundle.js'])

/** Register before `securityHeaders`, so it runs after it and replaces only the CSP. */
export const docsContentSecurityPolicy = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.header('Content-Security-Policy', DOCS_CSP)
})

const page: Handler<AppEnv> = (c) => c.html(DOCS_PAGE, 200, { 'Cache-Control': PAGE_CACHE })

export const docsRouter = new Hono<AppEnv>()
  .get('/docs', page)
  .get('/docs/', page)
  .get('/docs/init.js', (c) =>
    c.body(DOCS_INIT_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': PAGE_CACHE }),
  )
  .get('/docs/:file', async (c) => {
    const file = c.req.param('file')
    if (!SWAGGER_UI_FILES.has(file)) return c.notFound()
    // The original request, so the assets binding handles If-None-Match itself.
    const asset = await c.env.ASSETS.fetch(new Request(new URL(`/${file}`, c.req.url), c.req.raw))
    const res = new Response(asset.body, asset)
    res.headers.set('Cache-Control', ASSET_CACHE)
    return res
  })
