import { encodeBase64Url } from 'hono/utils/encode'
import type { HonoJsonWebKey } from 'hono/utils/jwt/jws'
import { ConfigError } from '../config'

const MIN_SECRET_BYTES = 32
const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()

type Key = { kid: string; verifyKey: CryptoKey }

/** The keys tokens are signed and verified with. */
export type Keyring = {
  /** Signs: `JWT_SECRET` as a JWK, so Hono's `sign` writes its `kid` into the header. */
  signingJwk: HonoJsonWebKey
  /** Verifies: `JWT_SECRET`'s key, and `JWT_SECRET_PREVIOUS`'s during a rotation, by `kid`. */
  verifyKeys: Map<string, CryptoKey>
}

const base64Url = (bytes: ArrayBuffer | Uint8Array) =>
  encodeBase64Url(bytes instanceof Uint8Array ? bytes.slice().buffer : bytes).replace(/=+$/, '')

function secretBytes(name: string, secret: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(secret))
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(`${name} is missing or shorter than ${MIN_SECRET_BYTES} bytes`)
  }
  return bytes
}

/** A key id that names a secret without revealing anything of it: part of a hash of it. */
async function keyFor(bytes: Uint8Array<ArrayBuffer>): Promise<Key> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const verifyKey = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['verify'])
  return { kid: base64Url(digest).slice(0, 16), verifyKey }
}

async function buildKeyring(current: Uint8Array<ArrayBuffer>, previous?: Uint8Array<ArrayBuffer>): Promise<Keyring> {
  const keys = await Promise.all([current, ...(previous ? [previous] : [])].map(keyFor))
  return {
    signingJwk: { kty: 'oct', k: base64Url(current), alg: 'HS256', kid: keys[0].kid },
    verifyKeys: new Map(keys.map((key) => [key.kid, key.verifyKey])),
  }
}

let cached: { current: string; previous: string | undefined; keyring: Promise<Keyring> } | undefined

/**
 * The keyring for `JWT_SECRET` (and `JWT_SECRET_PREVIOUS` if set), built once per
 * isolate and again only when a secret changes. Refuses a missing or short secret
 * rather than sign or verify with it.
 *
 * @example
 * const { signingJwk, verifyKeys } = await keyring(c.env)
 */
export function keyring(env: Env): Promise<Keyring> {
  const current = env.JWT_SECRET
  const previous = env.JWT_SECRET_PREVIOUS || undefined
  if (cached?.current === current && cached.previous === previous) return cached.keyring
  const currentBytes = secretBytes('JWT_SECRET', current ?? '')
  const previousBytes = previous === undefined ? undefined : secretBytes('JWT_SECRET_PREVIOUS', previous)
  cached = { current, previous, keyring: buildKeyring(currentBytes, previousBytes) }
  return cached.keyring
}
