import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from 'hono/utils/encode'

const bufferOf = (bytes: ArrayBuffer | Uint8Array) => (bytes instanceof Uint8Array ? bytes.slice().buffer : bytes)

/**
 * Base64url without padding, as JOSE and counter names write it.
 *
 * @example
 * base64Url(new Uint8Array([251, 255])) // '-_8'
 */
export const base64Url = (bytes: ArrayBuffer | Uint8Array): string =>
  encodeBase64Url(bufferOf(bytes)).replace(/=+$/, '')

/**
 * The bytes base64url `text` spells; the caller checks its alphabet and length first.
 *
 * @example
 * fromBase64Url('-_8') // Uint8Array [251, 255]
 */
export const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => decodeBase64Url(text)

/**
 * Standard base64 without padding, as PHC hash strings write it.
 *
 * @example
 * base64(new Uint8Array([251, 255])) // '+/8'
 */
export const base64 = (bytes: ArrayBuffer | Uint8Array): string => encodeBase64(bufferOf(bytes)).replace(/=+$/, '')

/** The bytes base64 `text` spells; the caller checks its alphabet first. */
export const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => decodeBase64(text)
