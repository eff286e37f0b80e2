import { z } from 'zod'
import { base64, fromBase64 } from '../lib/base64url'
import { isCommonPassword } from './common-passwords'

export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

/** Counts code points (an emoji is one), after refusing absurd lengths without counting. */
export function isPolicyLength(password: string): boolean {
  if (password.length > PASSWORD_MAX_LENGTH * 2) return false
  const length = [...password].length
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH
}

/** A password being set: checked before it is ever hashed. Login does not check commonness. */
export const newPasswordSchema = z
  .string()
  // The cheap bounds check first; `abort` keeps a password outside them from being normalized at all.
  .refine(isPolicyLength, {
    error: `Password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    abort: true,
  })
  .refine((password) => !isCommonPassword(password), 'Password is too common')

const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()

/** An HMAC-SHA-256 key that only the Worker (and the operator's CLI) holds. */
export type Pepper = {
  /** Names the pepper in a hash string without revealing it. */
  id: string
  key: CryptoKey
  throttleKey: CryptoKey
}

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

/** `secrets` lists the current pepper first. */
export async function peppersOf(secrets: Uint8Array<ArrayBuffer>[]): Promise<Peppers> {
  const all = await Promise.all(secrets.map(pepperFrom))
  return { current: all[0], byId: new Map(all.map((pepper) => [pepper.id, pepper])) }
}

export const hmac = async (key: CryptoKey, text: string): Promise<Uint8Array<ArrayBuffer>> =>
  new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))

const SALT_BYTES = 16
const HASH_BYTES = 32
const STORED = /^\$pbkdf2-sha256\$i=(\d+)(?:,p=([0-9a-f]{8}))?\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** `pepperId` is null for a hash made before peppers. */
type HashParams = { iterations: number; pepperId: string | null }

/** Deployed Workers refuse PBKDF2 above this; local workerd does not, so the code does. */
export const MAX_PBKDF2_ITERATIONS = 100_000

export type Hashing = { iterations: number; pepper: Pepper }

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

/** A PHC string naming its iterations and pepper, so both can change without a migration. */
export async function hashPassword(password: string, { iterations, pepper }: Hashing): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await derive(await passwordInput(password, pepper), salt, iterations)
  return format({ iterations, pepperId: pepper.id }, salt, hash)
}

/** A hash naming an unknown pepper cannot match, but still costs a PBKDF2 run and is logged for the operator. */
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

/** Undefined for a string `hashPassword` did not write. */
export function hashParams(stored: string | undefined): HashParams | undefined {
  const match = stored === undefined ? null : STORED.exec(stored)
  return match ? paramsOf(match) : undefined
}

export const currentParams = ({ iterations, pepper }: Hashing): HashParams => ({ iterations, pepperId: pepper.id })

export const needsRehash = (stored: string, hashing: Hashing): boolean => {
  const params = hashParams(stored)
  return params?.iterations !== hashing.iterations || params.pepperId !== hashing.pepper.id
}

/** Matches no password: an unknown user's check costs what a real account's does. */
export const dummyPasswordHash = (params: HashParams): string =>
  format(params, new Uint8Array(SALT_BYTES), new Uint8Array(HASH_BYTES))
