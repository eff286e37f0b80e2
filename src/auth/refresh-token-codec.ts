import { base64Url, fromBase64Url } from '../lib/base64url'

// Family and generation under an HMAC: any genuine token is distinguished from a forgery without storing it.

const ID_BYTES = 16
const GENERATION_BYTES = 6
const MAC_BYTES = 32
const CLAIM_BYTES = ID_BYTES + GENERATION_BYTES

/** 54 bytes in base64url. */
export const REFRESH_TOKEN_LENGTH = 72

/** 54 bytes fill 72 characters with no spare bits, so each token has one encoding; the OpenAPI document states it. */
export const REFRESH_TOKEN_PATTERN = /^[\w-]{72}$/

export type RefreshTokenClaims = { familyId: string; generation: number }

/** Checked before any decoding or crypto, so input of any other length or alphabet costs nothing. */
export const hasRefreshTokenShape = (token: string): boolean =>
  token.length === REFRESH_TOKEN_LENGTH && REFRESH_TOKEN_PATTERN.test(token)

const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()

/** Derived under a label of their own, so never a signing key; tokens are minted with the first only. */
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

/** Deterministic, so requests racing with one token compute one successor. */
export async function mintRefreshToken(claims: RefreshTokenClaims, key: CryptoKey): Promise<string> {
  const token = new Uint8Array(CLAIM_BYTES + MAC_BYTES)
  const claimed = claimBytes(claims)
  token.set(claimed)
  token.set(new Uint8Array(await crypto.subtle.sign('HMAC', key, claimed)), CLAIM_BYTES)
  return base64Url(token)
}

/** Null for a forgery or any other shape; `crypto.subtle.verify` compares in constant time. */
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
