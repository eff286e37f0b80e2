import { z } from 'zod'
import { base64, fromBase64 } from '../lib/base64url'
import { isCommonPassword } from './common-passwords'

// Passwords: the policy a new one is held to, the pepper, and how they are hashed and checked.

// The policy.

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

/**
 * Whether a password has a length the policy allows. Counts code points, so an emoji is one
 * character; stops early on absurd inputs.
 *
 * @example
 * isPolicyLength('🔑'.repeat(8)) // true
 * isPolicyLength('short') // false
 */
export function isPolicyLength(password: string): boolean {
  if (password.length > PASSWORD_MAX_LENGTH * 2) return false
  const length = [...password].length
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH
}

/** A password being set: checked before it is ever hashed. Login does not check commonness. */
export const newPasswordSchema = z
  .string()
  // The cheap bounds check first; `abort` keeps a password outside them from being normalised at all.
  .refine(isPolicyLength, {
    error: `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    abort: true,
  })
  .refine((password) => !isCommonPassword(password), 'Password is too common')

// The pepper.

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

async function pepperFrom(bytes: Uint8Array<ArrayBuffer>): Promise<Pepper> {
  const key = await crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign'])
  // A key of its own for throttle names, so no stored counter name is ever an HMAC under the password key.
  const throttleBytes = await crypto.subtle.sign('HMAC', key, encoder.encode('orgstack login throttle key'))
  const throttleKey = await crypto.subtle.importKey('raw', throttleBytes, HMAC, false, ['sign'])
  const id = hex(await crypto.subtle.digest('SHA-256', bytes)).slice(0, 8)
  return { id, key, throttleKey }
}

/**
 * The peppers of `PASSWORD_PEPPER`'s bytes and, during a rotation, `PASSWORD_PEPPER_PREVIOUS`'s
 * (the current first), as keys.
 *
 * @example
 * const peppers = await peppersOf([current])
 * await hashPassword(password, { iterations, pepper: peppers.current })
 */
export async function peppersOf(secrets: Uint8Array<ArrayBuffer>[]): Promise<Peppers> {
  const all = await Promise.all(secrets.map(pepperFrom))
  return { current: all[0], byId: new Map(all.map((pepper) => [pepper.id, pepper])) }
}

/** HMAC-SHA-256 of `text` under `key`, as bytes. */
export const hmac = async (key: CryptoKey, text: string): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))

// Hashing.

const SALT_BYTES = 16
const HASH_BYTES = 32
const STORED = /^\$pbkdf2-sha256\$i=(\d+)(?:,p=([0-9a-f]{8}))?\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** What a stored hash was made with: its iterations, and the id of its pepper (null before peppers). */
type HashParams = { iterations: number; pepperId: string | null }

/** Deployed Workers refuse PBKDF2 above this; local workerd does not, so the code does. */
export const MAX_PBKDF2_ITERATIONS = 100_000

/** What new hashes are made with: `PBKDF2_ITERATIONS` and the current pepper. */
export type Hashing = { iterations: number; pepper: Pepper }

/** The PBKDF2 input: the password's HMAC under the pepper, or the password itself for a hash made without one. */
const passwordInput = async (password: string, pepper: Pepper | null): Promise<Uint8Array<ArrayBuffer>> =>
  pepper ? hmac(pepper.key, password) : new Uint8Array(encoder.encode(password))

async function derive(input: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_PBKDF2_ITERATIONS) {
    throw new RangeError(`PBKDF2 iterations must be from 1 to ${MAX_PBKDF2_ITERATIONS}`)
  }
  const key = await crypto.subtle.importKey('raw', input, 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    key,
    HASH_BYTES * 8,
  )
  return new Uint8Array(bits)
}

function format({ iterations, pepperId }: HashParams, salt: Uint8Array<ArrayBuffer>, hash: Uint8Array<ArrayBuffer>) {
  return `$pbkdf2-sha256$i=${iterations}${pepperId ? `,p=${pepperId}` : ''}$${base64(salt)}$${base64(hash)}`
}

const paramsOf = (match: RegExpExecArray): HashParams => ({ iterations: Number(match[1]), pepperId: match[2] ?? null })

function parse(stored: string) {
  const match = STORED.exec(stored)
  if (!match) throw new Error('Unrecognised password hash format')
  return {
    params: paramsOf(match),
    salt: fromBase64(match[3]),
    hash: fromBase64(match[4]),
  }
}

/**
 * Hashes a password with PBKDF2-HMAC-SHA-256 and a fresh 16-byte salt into a
 * self-describing PHC string. The password is first HMACed with the pepper, a secret
 * kept out of D1, so a stolen copy of the database cannot be guessed against offline;
 * the string names the pepper and the iterations, so both can change without a migration.
 * Runs wherever Web Crypto does: the Worker and the Node CLI share it.
 *
 * @example
 * await hashPassword('correct horse battery staple', { iterations: 100_000, pepper: peppers.current })
 * // '$pbkdf2-sha256$i=100000,p=<pepper id>$<salt, base64>$<hash, base64>'
 */
export async function hashPassword(password: string, { iterations, pepper }: Hashing): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await derive(await passwordInput(password, pepper), salt, iterations)
  return format({ iterations, pepperId: pepper.id }, salt, hash)
}

/**
 * Checks a password against a string from `hashPassword`, comparing in constant time.
 * A hash naming a pepper the Worker no longer has cannot match; it still costs a
 * PBKDF2 run (under the current pepper), and is logged so the operator can see it.
 */
export async function verifyPassword(password: string, stored: string, peppers: Peppers): Promise<boolean> {
  const { params, salt, hash } = parse(stored)
  const pepper = params.pepperId === null ? null : peppers.byId.get(params.pepperId)
  if (pepper === undefined) {
    console.warn(JSON.stringify({ level: 'warn', event: 'password_pepper_unknown', pepperId: params.pepperId }))
  }
  const input = await passwordInput(password, pepper === undefined ? peppers.current : pepper)
  const actual = await derive(input, salt, params.iterations)
  return pepper !== undefined && actual.byteLength === hash.byteLength && crypto.subtle.timingSafeEqual(actual, hash)
}

/** The parameters of a stored hash; undefined for a string `hashPassword` did not write. */
export function hashParams(stored: string | undefined): HashParams | undefined {
  const match = stored === undefined ? null : STORED.exec(stored)
  return match ? paramsOf(match) : undefined
}

/** The parameters `hashing` writes into a hash string. */
export const currentParams = ({ iterations, pepper }: Hashing): HashParams => ({ iterations, pepperId: pepper.id })

/** Whether a stored hash was made with other parameters than `hashing`'s: it is upgraded at the next login. */
export const needsRehash = (stored: string, hashing: Hashing): boolean => {
  const params = hashParams(stored)
  return params?.iterations !== hashing.iterations || params.pepperId !== hashing.pepper.id
}

/**
 * A hash no password matches, with the given parameters: verifying against it
 * when the user is unknown makes that answer cost what a real account's check costs.
 */
export const dummyPasswordHash = (params: HashParams): string =>
  format(params, new Uint8Array(SALT_BYTES), new Uint8Array(HASH_BYTES))
