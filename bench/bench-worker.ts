import { drizzle } from 'drizzle-orm/d1'
import { Hono } from 'hono'
import { decodeBase64Url } from 'hono/utils/encode'
import { createApp } from '../src/app'
import type { AppEnv } from '../src/app-env'
import { findAccount } from '../src/data/users'
import { verifiedClaims } from '../src/http/guards'
import { loadSettings } from '../src/http/load-settings'
import { D1_METER_HEADER, d1Totals, meterD1 } from './d1-meter'

const encoder = new TextEncoder()
const PBKDF2_PASSWORD = encoder.encode('bench-password-not-a-secret')
const PBKDF2_SALT = new Uint8Array(16)
const ok = { ok: true }

let minimalKey: { secret: string; key: Promise<CryptoKey> } | undefined

/** `JWT_SECRET` as an HMAC key, imported once per isolate: the least any verifier must do. */
function minimalVerifyKey(secret: string): Promise<CryptoKey> {
  if (minimalKey?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ])
    minimalKey = { secret, key }
  }
  return minimalKey.key
}

/** Reference routes, measured beside the real ones; they exist only in the bench build. */
const benchRoutes = new Hono<AppEnv>()
  .basePath('/bench')
  .get('/bare', (c) => c.json(ok))
  // One HMAC check of the presented token's signature, nothing else: a floor for `jwt-only`.
  .get('/verify-minimal', async (c) => {
    const token = (c.req.header('Authorization') ?? '').replace(/^Bearer /, '')
    const dot = token.lastIndexOf('.')
    const key = await minimalVerifyKey(c.env.JWT_SECRET)
    const valid = await crypto.subtle.verify(
      'HMAC',
      key,
      decodeBase64Url(token.slice(dot + 1)),
      encoder.encode(token.slice(0, dot)),
    )
    return valid ? c.json(ok) : c.json({ ok: false }, 401)
  })
  // What every protected route does before touching D1: its settings, then the token.
  .get('/jwt-only', loadSettings, async (c) => {
    await verifiedClaims(c)
    return c.json(ok)
  })
  // The protected path's one D1 query, without the token check or the app's middleware.
  .get('/pk-query', async (c) => {
    const [sub, jti] = [c.req.query('sub') ?? '', c.req.query('jti') ?? '']
    const account = await findAccount(drizzle(c.env.DB), { userId: sub, jti })
    return account ? c.json(ok) : c.json({ ok: false }, 404)
  })
  // Login's hashing alone: PBKDF2-SHA-256 at the configured iterations, as `verifyPassword` runs it.
  .get('/pbkdf2', loadSettings, async (c) => {
    const key = await crypto.subtle.importKey('raw', PBKDF2_PASSWORD, 'PBKDF2', false, ['deriveBits'])
    const params = {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: PBKDF2_SALT,
      iterations: c.var.settings.passwords.hashing.iterations,
    }
    await crypto.subtle.deriveBits(params, key, 256)
    return c.json(ok)
  })
  // What the requests sent with `X-Bench-D1-Meter` did with D1 so far; `?reset=1` starts over.
  .get('/d1-stats', (c) => c.json(d1Totals(c.req.query('reset') === '1')))

const app = createApp()

/**
 * The bench build's Worker: `/bench/*` are reference routes served here, outside the
 * app's middleware; every other request goes to `createApp()`, as in production.
 * Requests with `D1_METER_HEADER` get a metered `env.DB` (see `meterD1`).
 */
export default {
  fetch(request, env, ctx) {
    const target = new URL(request.url).pathname.startsWith('/bench/') ? benchRoutes : app
    if (!request.headers.has(D1_METER_HEADER)) return target.fetch(request, env, ctx)
    return meterD1(request, env, ctx, target.fetch)
  },
} satisfies ExportedHandler<Env>
