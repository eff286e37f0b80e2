import { ConfigError } from '../config'

const MIN_PEPPER_BYTES = 32
const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()

/** A pepper: an HMAC-SHA-256 key that only the Worker (and the operator's CLI) holds. */
export type Pepper = {
  /** Names the pepper in a hash string without revealing it: 8 hex digits of its SHA-256. */
  id: string
  /** Keys the HMAC of a password before PBKDF2. */
  key: CryptoKey
  /** Keys the HMAC that names a typed login in the login limits' counters. */
  throttleKey: CryptoKey
}

/** The pepper new hashes get, and every pepper a stored hash may name. */
export type Peppers = { current: Pepper; byId: ReadonlyMap<string, Pepper> }

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('')

function secretBytes(name: string, secret: string | undefined): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(secret ?? ''))
  if (bytes.byteLength < MIN_PEPPER_BYTES) {
    throw new ConfigError(`${name} is missing or shorter than ${MIN_PEPPER_BYTES} bytes`)
  }
  return bytes
}

async function pepperFrom(bytes: Uint8Array<ArrayBuffer>): Promise<Pepper> {
  const key = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign'])
  // A key of its own for throttle names, so no stored counter name is ever an HMAC under the password key.
  const throttleBytes = await crypto.subtle.sign('HMAC', key, encoder.encode('orgstack login throttle key'))
  const throttleKey = await crypto.subtle.importKey('raw', throttleBytes, HMAC, false, ['sign'])
  const id = hex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 8)
  return { id, key, throttleKey }
}

async function buildPeppers(current: Uint8Array<ArrayBuffer>, previous?: Uint8Array<ArrayBuffer>): Promise<Peppers> {
  const all = await Promise.all([current, ...(previous ? [previous] : [])].map(pepperFrom))
  return { current: all[0], byId: new Map(all.map((pepper) => [pepper.id, pepper])) }
}

/** The secrets the peppers come from: the Worker's env, or what the CLI read for its target. */
export type PepperSecrets = Pick<Env, 'PASSWORD_PEPPER' | 'PASSWORD_PEPPER_PREVIOUS'>

let cached: { current?: string; previous?: string; peppers: Promise<Peppers> } | undefined

/**
 * `PASSWORD_PEPPER` (and `PASSWORD_PEPPER_PREVIOUS` during a rotation) as keys, imported
 * once per isolate and again only when a secret changes. Refuses a missing or short secret.
 *
 * @example
 * const peppers = await pepperRing(c.env)
 * await hashPassword(password, iterations, peppers.current)
 */
export function pepperRing(secrets: PepperSecrets): Promise<Peppers> {
  const current = secrets.PASSWORD_PEPPER
  const previous = secrets.PASSWORD_PEPPER_PREVIOUS || undefined
  if (cached && cached.current === current && cached.previous === previous) return cached.peppers
  const currentBytes = secretBytes('PASSWORD_PEPPER', current)
  const previousBytes = previous === undefined ? undefined : secretBytes('PASSWORD_PEPPER_PREVIOUS', previous)
  cached = { current, previous, peppers: buildPeppers(currentBytes, previousBytes) }
  return cached.peppers
}

/** HMAC-SHA-256 of `text` under `key`, as bytes. */
export const hmac = async (key: CryptoKey, text: string): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))
