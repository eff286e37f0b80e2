import { decodeBase64, encodeBase64 } from 'hono/utils/encode'
import { MAX_PBKDF2_ITERATIONS, pbkdf2Iterations } from '../config'
import { hmac, type Pepper, type Peppers, pepperRing } from './pepper'

const SALT_BYTES = 16
const HASH_BYTES = 32
const encoder = new TextEncoder()
const STORED = /^\$pbkdf2-sha256\$i=(\d+)(?:,p=([0-9a-f]{8}))?\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

const toBase64 = (bytes: Uint8Array<ArrayBuffer>) => encodeBase64(bytes.buffer).replace(/=+$/, '')

/** What a stored hash was made with: its iterations, and the id of its pepper (null before peppers). */
export type HashParams = { iterations: number; pepperId: string | null }

/** What new hashes are made with: `PBKDF2_ITERATIONS` and the current pepper. */
export type Hashing = { iterations: number; pepper: Pepper }

/**
 * The Worker's current hashing parameters, and every pepper a stored hash may name.
 *
 * @example
 * const { hashing, peppers } = await passwordSettings(c.env)
 */
export async function passwordSettings(env: Env): Promise<{ hashing: Hashing; peppers: Peppers }> {
  const peppers = await pepperRing(env)
  return { hashing: { iterations: pbkdf2Iterations(env), pepper: peppers.current }, peppers }
}

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
  return `$pbkdf2-sha256$i=${iterations}${pepperId ? `,p=${pepperId}` : ''}$${toBase64(salt)}$${toBase64(hash)}`
}

function parse(stored: string) {
  const match = STORED.exec(stored)
  if (!match) throw new Error('Unrecognised password hash format')
  const params: HashParams = { iterations: Number(match[1]), pepperId: match[2] ?? null }
  return { params, salt: new Uint8Array(decodeBase64(match[3])), hash: new Uint8Array(decodeBase64(match[4])) }
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
  return stored === undefined || !STORED.test(stored) ? undefined : parse(stored).params
}

/** The parameters `hashing` writes into a hash string. */
export const paramsOf = ({ iterations, pepper }: Hashing): HashParams => ({ iterations, pepperId: pepper.id })

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
