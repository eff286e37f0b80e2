import { DOCS_CSP } from '../../src/docs/docs-page'
import { type Check, CheckFailed, describe, expectJson, networkProblem, request } from './smoke-http'

type Target = 'api' | 'docs'

/**
 * What the Worker sets (src/http/transport.ts, src/docs/docs-router.ts): `on` says which responses,
 * `httpsOnly` that it is sent only to requests made over https.
 */
const SECURITY_HEADERS: { name: string; value: string; on: Target[]; httpsOnly?: true }[] = [
  {
    name: 'Strict-Transport-Security',
    value: 'max-age=31536000; includeSubDomains',
    on: ['api', 'docs'],
    httpsOnly: true,
  },
  { name: 'X-Content-Type-Options', value: 'nosniff', on: ['api', 'docs'] },
  { name: 'X-Frame-Options', value: 'DENY', on: ['api', 'docs'] },
  { name: 'Referrer-Policy', value: 'no-referrer', on: ['api', 'docs'] },
  { name: 'Cross-Origin-Resource-Policy', value: 'same-origin', on: ['api', 'docs'] },
  { name: 'Cross-Origin-Opener-Policy', value: 'same-origin', on: ['api', 'docs'] },
  { name: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'", on: ['api'] },
  { name: 'Content-Security-Policy', value: DOCS_CSP, on: ['docs'] },
  { name: 'Cache-Control', value: 'no-store', on: ['api'] },
]

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** The checks that need no account. */
export function publicChecks(base: URL): Check[] {
  const at = (path: string) => new URL(path, base)
  return [
    {
      name: 'health',
      run: async () => {
        const body = await expectJson(await request(at('/api/health')), 200, '{"status":"ok"}')
        if (body.status !== 'ok') throw new CheckFailed('{"status":"ok"}', `status ${JSON.stringify(body.status)}`)
        return undefined
      },
    },
    {
      name: 'https-only',
      run: async () => {
        if (base.protocol === 'http:') {
          if (LOCAL_HOSTS.has(base.hostname)) return { skipped: 'the target is local dev over http://, not a deploy' }
          throw new CheckFailed('an https:// URL for a deployed Worker', base.href)
        }
        const plain = at('/api/health')
        plain.protocol = 'http:'
        let res: Response
        try {
          res = await fetch(plain, { redirect: 'manual', signal: AbortSignal.timeout(10_000) })
        } catch (error) {
          // Nothing answering on port 80 refuses plain HTTP too.
          return { note: `plain HTTP not answered: ${networkProblem(error)}` }
        }
        return refusesPlainHttp(res)
      },
    },
    headerCheck('security headers (API)', at('/api/health'), 'api', base),
    headerCheck('security headers (docs)', at('/docs'), 'docs', base),
    {
      name: 'OpenAPI document',
      run: async () => {
        const expected = 'an OpenAPI 3.x document with /api/auth/login'
        const doc = await expectJson(await request(at('/api/openapi.json')), 200, expected)
        if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.')) {
          throw new CheckFailed(expected, `openapi ${JSON.stringify(doc.openapi)}`)
        }
        const paths = doc.paths
        if (typeof paths !== 'object' || paths === null || !('/api/auth/login' in paths)) {
          throw new CheckFailed(expected, 'no /api/auth/login in paths')
        }
        return undefined
      },
    },
    { name: 'docs page and assets', run: () => docsAssets(at('/docs')) },
  ]
}

/** The Worker's own answer is a 403 `https_required`; an edge in front of it may redirect to https instead. */
async function refusesPlainHttp(res: Response): Promise<undefined> {
  const expected = '403 https_required, or a redirect to https://'
  const location = res.headers.get('Location') ?? ''
  if (res.status >= 300 && res.status < 400) {
    if (location.startsWith('https://')) return undefined
    throw new CheckFailed(expected, `${res.status} to ${location || 'nowhere'}`)
  }
  const body = res.status === 403 ? await res.json().catch(() => undefined) : undefined
  if (typeof body === 'object' && body !== null && 'code' in body && body.code === 'https_required') return undefined
  throw new CheckFailed(expected, await describe(res))
}

function headerCheck(name: string, url: URL, target: Target, base: URL): Check {
  return {
    name,
    run: async () => {
      const res = await request(url)
      if (res.status !== 200) throw new CheckFailed(`200 from ${url.pathname}`, await describe(res))
      const wrong = SECURITY_HEADERS.filter(
        (header) => header.on.includes(target) && (base.protocol === 'https:' || !header.httpsOnly),
      )
        .filter((header) => res.headers.get(header.name) !== header.value)
        .map((header) => `${header.name}: ${res.headers.get(header.name) ?? '(missing)'}`)
      if (wrong.length > 0) throw new CheckFailed('the headers the Worker sets', wrong.join('; '))
      return undefined
    },
  }
}

// The page is ours and small: attributes in double quotes, as src/docs/docs-page.ts writes them.
const SCRIPT_SRC = /<script\b[^>]*\bsrc="([^"]+)"/g
const STYLESHEET_HREF = /<link\b(?=[^>]*\brel="stylesheet")[^>]*\bhref="([^"]+)"/g

async function docsAssets(page: URL): Promise<undefined> {
  const res = await request(page)
  const type = res.headers.get('Content-Type') ?? ''
  if (res.status !== 200 || !type.startsWith('text/html')) throw new CheckFailed('200 text/html', await describe(res))
  const html = await res.text()
  const assets = [
    ...[...html.matchAll(SCRIPT_SRC)].map((match) => ({ src: match[1], type: /javascript/ })),
    ...[...html.matchAll(STYLESHEET_HREF)].map((match) => ({ src: match[1], type: /^text\/css/ })),
  ]
  if (!assets.some((asset) => asset.type.source === 'javascript')) {
    throw new CheckFailed('a page that loads its scripts', 'no <script src> in the page')
  }
  const failures: string[] = []
  for (const asset of assets) {
    const assetRes = await request(new URL(asset.src, page))
    const assetType = assetRes.headers.get('Content-Type') ?? ''
    if (assetRes.status !== 200 || !asset.type.test(assetType)) {
      failures.push(`${asset.src} ${await describe(assetRes)}`)
    }
    await assetRes.body?.cancel()
  }
  if (failures.length > 0)
    throw new CheckFailed('200 with a JavaScript or CSS type for each asset', failures.join('; '))
  return undefined
}
