import { base64Url } from './base64url'

// Opaque tokens (device tokens): 32 random bytes in base64url, given out once and
// stored only as SHA-256, which is enough for 256 random bits: nothing to guess, so no salt or slow hash.

/** Every opaque token is exactly this long: 32 bytes in base64url without padding. */
export const OPAQUE_TOKEN_LENGTH = 43

/**
 * The spelling of every opaque token: the last of 43 characters carries two spare bits, which
 * must be zero, so each token has one spelling. The OpenAPI document states this very pattern.
 */
export const OPAQUE_TOKEN_PATTERN = /^[\w-]{42}[AEIMQUYcgkosw048]$/

/**
 * Whether `token` is spelt as our opaque tokens are: checked before any hashing, so input of any
 * other length or alphabet costs nothing.
 *
 * @example
 * hasOpaqueTokenShape(newOpaqueToken()) // true
 * hasOpaqueTokenShape('x'.repeat(1_000_000)) // false
 */
export const hasOpaqueTokenShape = (token: string): boolean =>
  token.length === OPAQUE_TOKEN_LENGTH && OPAQUE_TOKEN_PATTERN.test(token)

/** A new opaque token: 256 random bits. */
export const newOpaqueToken = (): string => base64Url(crypto.getRandomValues(new Uint8Array(32)))

const encoder = new TextEncoder()

/** What D1 keeps of an opaque token: its SHA-256, in base64url. */
export const opaqueTokenHash = async (token: string): Promise<string> =>
  base64Url(await crypto.subtle.digest('SHA-256', encoder.encode(token)))
