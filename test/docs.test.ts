import { describe, expect, it } from 'vitest'
import { introduction } from '../src/docs/introduction'
import { request } from './helpers'

const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
const API_CSP = "default-src 'none'; frame-ancestors 'none'"

const CONTENT_TYPES: Record<string, RegExp> = {
  js: /^text\/javascript; charset=utf-8$/i,
  css: /^text\/css; charset=utf-8$/i,
}

/** Every URL the page names in a `src` or `href`. */
async function pageUrls() {
  const html = await (await request('/docs')).text()
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map(([, url]) => url)
}

describe('GET /docs', () => {
  it.each(['/docs', '/docs/'])('%s answers the page as HTML, cached briefly, under the docs CSP', async (path) => {
    const res = await request(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8')
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300')
    expect(res.headers.get('Content-Security-Policy')).toBe(DOCS_CSP)
    expect(await res.text()).toContain('<div id="swagger-ui"></div>')
  })

  it('keeps every other security header of the API', async () => {
    const res = await request('/docs')
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(res.headers.get('Referrer-Policy')).toBe('no-referrer')
    expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains')
    expect(res.headers.get('X-Frame-Options')).toBe('DENY')
    expect(res.headers.get('X-Request-Id')).toMatch(/^[\w-]+$/)
  })

  it('names nothing outside the Worker: no other origin, no inline script', async () => {
    const html = await (await request('/docs')).text()
    expect(html).not.toMatch(/https?:|\/\//)
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)|<style|\bstyle=|\bon\w+=/i)
    for (const url of await pageUrls()) expect(url, url).toMatch(/^(\/(?!\/)|data:,$)/)
  })

  it('serves every file the page loads, with its content type, cacheable', async () => {
    const files = (await pageUrls()).filter((url) => url.startsWith('/docs/'))
    expect(files).toEqual(['/docs/index.css', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js'])
    for (const file of files) {
      const res = await request(file)
      expect(res.status, file).toBe(200)
      expect(res.headers.get('Content-Type'), file).toMatch(CONTENT_TYPES[file.split('.').pop() as string])
      expect(res.headers.get('Cache-Control'), file).toMatch(/^public, max-age=\d+$/)
      expect((await res.text()).length, file).toBeGreaterThan(0)
    }
  })

  it('loads nothing from elsewhere through the stylesheets or the start script either', async () => {
    for (const file of ['/docs/index.css', '/docs/swagger-ui.css']) {
      const urls = [...(await (await request(file)).text()).matchAll(/url\(\s*["']?([^"')]*)/g)].map(([, url]) => url)
      for (const url of urls) expect(url, file).toMatch(/^data:/)
      expect(await (await request(file)).text(), file).not.toMatch(/@import/)
    }
    expect(await (await request('/docs/init.js')).text()).not.toMatch(/https?:\/\//)
  })

  it("answers a conditional request for Swagger UI's files with 304", async () => {
    const first = await request('/docs/swagger-ui.css')
    const etag = first.headers.get('ETag')
    expect(etag).toBeTruthy()
    const again = await request('/docs/swagger-ui.css', { headers: { 'If-None-Match': etag as string } })
    expect(again.status).toBe(304)
  })

  it("serves none of the package's other files", async () => {
    for (const path of [
      '/docs/index.html',
      '/docs/swagger-initializer.js',
      '/docs/swagger-ui-bundle.js.map',
      '/docs/package.json',
      '/docs/..%2Fpackage.json',
      '/docs/nested/swagger-ui.css',
      '/swagger-ui.css',
      '/index.html',
    ]) {
      const res = await request(path)
      expect(res.status, path).toBe(404)
      expect(await res.json()).toEqual({ error: 'Not found', code: 'not_found' })
    }
  })

  it('answers 405 to other methods, and refuses plain HTTP in production', async () => {
    const post = await request('/docs', { method: 'POST' })
    expect(post.status).toBe(405)
    expect(post.headers.get('Allow')).toBe('GET')
    const plain = await request('/docs', { env: {}, scheme: 'http' })
    expect(plain.status).toBe(403)
    expect(await plain.json()).toMatchObject({ error: 'HTTPS is required', code: 'https_required' })
  })
})

describe('the introduction', () => {
  it("is the OpenAPI document's description, which the page shows first", async () => {
    const doc = await (await request('/api/openapi.json')).json<{ info: { description: string } }>()
    expect(doc.info.description).toBe(introduction)
    expect(introduction).toContain('## Authentication flow')
  })
})

describe('the API beside the docs', () => {
  it.each(['/api/openapi.json', '/api/health', '/api/nope', '/docsx', '/'])('%s keeps the strict CSP', async (path) => {
    const res = await request(path)
    expect(res.headers.get('Content-Security-Policy')).toBe(API_CSP)
  })

  it('keeps no-store on /api/ answers', async () => {
    expect((await request('/api/openapi.json')).headers.get('Cache-Control')).toBe('no-store')
  })
})
