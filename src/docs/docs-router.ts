import { type Handler, Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { DOCS_CSP, DOCS_INIT_SCRIPT, DOCS_PAGE } from './docs-page'

/** Ours, and changed by any deploy: kept briefly. */
const PAGE_CACHE = 'public, max-age=300'
/** Swagger UI's, changed only with the package; the ETag makes a later check cheap. */
const ASSET_CACHE = 'public, max-age=3600'

/** The files of swagger-ui-dist the page loads; the rest of the package is never served. */
const SWAGGER_UI_FILES = new Set(['index.css', 'swagger-ui.css', 'swagger-ui-bundle.js'])

/**
 * The page's CSP on every answer under /docs. Registered before `securityHeaders`, so that it
 * runs after it and replaces the API's `default-src 'none'`; every other header stays.
 *
 * @example
 * app.use('/docs/*', docsContentSecurityPolicy) // before securityHeaders()
 */
export const docsContentSecurityPolicy = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  c.header('Content-Security-Policy', DOCS_CSP)
})

const page: Handler<AppEnv> = (c) => c.html(DOCS_PAGE, 200, { 'Cache-Control': PAGE_CACHE })

/** GET /docs (and /docs/): the API reference, with the files it loads under /docs/. */
export const docsRouter = new Hono<AppEnv>()
  .get('/docs', page)
  .get('/docs/', page)
  .get('/docs/init.js', (c) =>
    c.body(DOCS_INIT_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': PAGE_CACHE }),
  )
  .get('/docs/:file', async (c) => {
    const file = c.req.param('file')
    if (!SWAGGER_UI_FILES.has(file)) return c.notFound()
    // The request as sent, so that the assets binding answers If-None-Match itself.
    const asset = await c.env.ASSETS.fetch(new Request(new URL(`/${file}`, c.req.url), c.req.raw))
    const res = new Response(asset.body, asset)
    res.headers.set('Cache-Control', ASSET_CACHE)
    return res
  })
