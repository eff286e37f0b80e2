import { opaqueTokenHash } from '../lib/opaque-token'

// `osk_<public id>_<secret>`: a fixed prefix secret scanners can match, in characters a double click selects whole.

export const API_KEY_PREFIX = 'osk_'

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const PUBLIC_ID_LENGTH = 12
/** 43 base62 characters carry 256 bits. */
const SECRET_LENGTH = 43

export const API_KEY_PATTERN = /^osk_([0-9A-Za-z]{12})_[0-9A-Za-z]{43}$/

/** `osk_`, the public id, `_` and the secret. */
export const API_KEY_LENGTH = API_KEY_PREFIX.length + PUBLIC_ID_LENGTH + 1 + SECRET_LENGTH

/** Any credential sent as one, well-formed or not: it never reaches the JWT check. */
export const looksLikeApiKey = (credential: string): boolean => credential.startsWith(API_KEY_PREFIX)

/** Undefined for any other shape, so a malformed key costs no hashing and no query. */
export const publicIdOf = (key: string): string | undefined =>
  key.length === API_KEY_LENGTH ? API_KEY_PATTERN.exec(key)?.[1] : undefined

/** Uniform over the alphabet: bytes from 248 up are drawn again, as 248 is the largest multiple of 62 below 256. */
function randomBase62(length: number): string {
  let text = ''
  while (text.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && text.length < length) text += ALPHABET[byte % 62]
    }
  }
  return text
}

export function newApiKey(): { key: string; publicId: string } {
  const publicId = randomBase62(PUBLIC_ID_LENGTH)
  return { key: `${API_KEY_PREFIX}${publicId}_${randomBase62(SECRET_LENGTH)}`, publicId }
}

/** 256 random bits need no salt or slow hash (as `lib/opaque-token.ts`). */
export const apiKeyHash = opaqueTokenHash
