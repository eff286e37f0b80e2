import { base64Url } from './base64url'

// Stored only as SHA-256: 256 random bits need no salt or slow hash.

/** 32 bytes in base64url without padding. */
export const OPAQUE_TOKEN_LENGTH = 43

/** The last character carries two spare bits that must be zero, so each token has one encoding. */
export const OPAQUE_TOKEN_PATTERN = /^[\w-]{42}[AEIMQUYcgkosw048]$/

/** Checked before hashing, so input of any other length or alphabet costs nothing. */
export const hasOpaqueTokenShape = (token: string): boolean =>
  token.length === OPAQUE_TOKEN_LENGTH && OPAQUE_TOKEN_PATTERN.test(token)

export const newOpaqueToken = (): string => base64Url(crypto.getRandomValues(new Uint8Array(32)))

const encoder = new TextEncoder()

export const opaqueTokenHash = async (token: string): Promise<string> =>
  base64Url(await crypto.subtle.digest('SHA-256', encoder.encode(token)))
