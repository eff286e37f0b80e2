import { ConfigError } from '../config'

const MIN_SECRET_BYTES = 32
const encoder = new TextEncoder()

let cached: { secret: string; key: Promise<CryptoKey> } | undefined

/**
 * The HS256 key for `JWT_SECRET`, imported once per isolate and again only when
 * the secret changes. Refuses a missing or short secret rather than sign with it.
 */
export function signingKey(env: Env): Promise<CryptoKey> {
  const secret = env.JWT_SECRET
  if (cached?.secret === secret) return cached.key
  const bytes = encoder.encode(secret ?? '')
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET is missing or shorter than ${MIN_SECRET_BYTES} bytes`)
  }
  const key = crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify'])
  cached = { secret, key }
  return key
}
