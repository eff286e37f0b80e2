import { base64Url, fromBase64Url } from '../lib/base64url'

// A refresh token names its family and generation and carries an HMAC-SHA-256 of both under a key
// only the Worker holds: any genuine token, however old, is told from a forgery without storing it.

const ID_BYTES = 16
const GENERATION_BYTES = 6
const MAC_BYTES = 32
const CLAIM_BYTES = ID_BYTES + GENERATION_BYTES

/** Every refresh token is exactly this long: 54 bytes in base64url. */
export const REFRESH_TOKEN_LENGTH = 72

/**
 * The spelling of every refresh token: 54 bytes fill 72 characters with no spare bits, so each
 * token has one spelling. The OpenAPI document states this very pattern.
 */
export const REFRESH_TOKEN_PATTERN = /^[\w-]{72}$/

/** What a genuine refresh token says: which family, and which of its tokens. */
export type RefreshTokenClaims = { familyId: string; generation: number }

/**
 * Whether `token` is spelt as refresh tokens are: checked before any decoding or crypto, so
 * input of any other length or alphabet costs nothing.
 *
 * @example
 * hasRefreshTokenShape('x'.repeat(1_000_000)) // false
 */
export const hasRefreshTokenShape = (token: string): boolean =>
  token.length === REFRESH_TOKEN_LENGTH && REFRESH_TOKEN_PATTERN.test(token)

const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()

/**
 * The MAC keys, `JWT_SECRET`'s first and `JWT_SECRET_PREVIOUS`'s during a rotation: each derived
 * under a label of its own, so never a signing key. Tokens are made with the first only.
 *
 * @example
 * const keys = await refreshKeysOf([current, previous])
 */
export const refreshKeysOf = (secrets: Uint8Array<ArrayBuffer>[]) =>
  Promise.all(
    secrets.map(async (secret) => {
      const root = await crypto.subtle.importKey('raw', secret, HMAC, false, ['sign'])
      const bytes = await crypto.subtle.sign('HMAC', root, encoder.encode('orgstack refresh token key'))
      return crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign', 'verify'])
    }),
  )

function claimBytes({ familyId, generation }: RefreshTokenClaims): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(CLAIM_BYTES)
  const hex = familyId.replaceAll('-', '')
  for (let i = 0; i < ID_BYTES; i++) bytes[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  const view = new DataView(bytes.buffer)
  view.setUint16(ID_BYTES, Math.floor(generation / 2 ** 32))
  view.setUint32(ID_BYTES + 2, generation % 2 ** 32)
  return bytes
}

function claimsOf(bytes: Uint8Array<ArrayBuffer>): RefreshTokenClaims {
  const hex = Array.from(bytes.subarray(0, ID_BYTES), (b) => b.toString(16).padStart(2, '0')).join('')
  const familyId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  const view = new DataView(bytes.buffer, bytes.byteOffset)
  return { familyId, generation: view.getUint16(ID_BYTES) * 2 ** 32 + view.getUint32(ID_BYTES + 2) }
}

/**
 * The refresh token of `claims`, under `key` (the first of `refreshKeysOf`): the same claims
 * and key always make the same token, so requests racing with one token compute one successor.
 *
 * @example
 * await mintRefreshToken({ familyId, generation: 0 }, key) // 72 characters
 */
export async function mintRefreshToken(claims: RefreshTokenClaims, key: CryptoKey): Promise<string> {
  const token = new Uint8Array(CLAIM_BYTES + MAC_BYTES)
  const claimed = claimBytes(claims)
  token.set(claimed)
  token.set(new Uint8Array(await crypto.subtle.sign('HMAC', key, claimed)), CLAIM_BYTES)
  return base64Url(token)
}

/**
 * What `token` claims, if its MAC verifies under one of `keys`; null for a forgery or any other
 * shape. `crypto.subtle.verify` compares in constant time.
 *
 * @example
 * await readRefreshToken(token, keys) // { familyId: '019ac…', generation: 3 } or null
 */
export async function readRefreshToken(token: string, keys: CryptoKey[]): Promise<RefreshTokenClaims | null> {
  if (!hasRefreshTokenShape(token)) return null
  const bytes = fromBase64Url(token)
  const claimed = bytes.subarray(0, CLAIM_BYTES)
  const mac = bytes.subarray(CLAIM_BYTES)
  for (const key of keys) {
    if (await crypto.subtle.verify('HMAC', key, mac, claimed)) return claimsOf(bytes)
  }
  return null
}
