import { decodeBase64, encodeBase64 } from 'hono/utils/encode'
import { MAX_PBKDF2_ITERATIONS } from '../config'

const SCHEME = 'pbkdf2-sha256'
const SALT_BYTES = 16
const HASH_BYTES = 32
const encoder = new TextEncoder()

const toBase64 = (bytes: Uint8Array<ArrayBuffer>) => encodeBase64(bytes.buffer).replace(/=+$/, '')

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be from 1 to ${MAX_PBKDF2_ITERATIONS}`)
  }
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    HASH_BYTES * 8,
  )
  return new Uint8Array(bits)
}

function format(iterations: number, salt: Uint8Array<ArrayBuffer>, hash: Uint8Array<ArrayBuffer>) {
  return `$${SCHEME}$i=${iterations}$${toBase64(salt)}$${toBase64(hash)}`
}

/**
 * Hashes a password with PBKDF2-HMAC-SHA-256 and a fresh 16-byte salt into a
 * self-describing PHC string, so the parameters can change without a migration.
 * Runs wherever Web Crypto does: the Worker and the Node CLI share it.
 *
 * @example
 * await hashPassword('correct horse battery staple', 100_000)
 * // '$pbkdf2-sha256$i=100000$<salt, base64>$<hash, base64>'
 */
export async function hashPassword(password: string, iterations: number): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  return format(iterations, salt, await derive(password, salt, iterations))
}

/** Checks a password against a string from `hashPassword`, comparing in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = /^\$pbkdf2-sha256\$i=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored)
  if (!match) throw new Error('Unrecognised password hash format')
  const expected = decodeBase64(match[3])
  const actual = await derive(password, decodeBase64(match[2]), Number(match[1]))
  return actual.byteLength === expected.byteLength && crypto.subtle.timingSafeEqual(actual, expected)
}

/**
 * A hash no password matches, with the given parameters: verifying against it
 * when the user is unknown makes that answer cost what a wrong password costs.
 */
export const dummyPasswordHash = (iterations: number): string =>
  format(iterations, new Uint8Array(SALT_BYTES), new Uint8Array(HASH_BYTES))
