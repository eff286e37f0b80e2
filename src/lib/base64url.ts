import { decodeBase64Url, encodeBase64Url } from 'hono/utils/encode'

/**
 * Base64url without padding, as JOSE and counter names write it.
 *
 * @example
 * base64Url(new Uint8Array([251, 255])) // '-_8'
 */
export const base64Url = (bytes: ArrayBuffer | Uint8Array): string =>
  encodeBase64Url(bytes instanceof Uint8Array ? bytes.slice().buffer : bytes).replace(/=+$/, '')

/**
 * The bytes base64url `text` spells; the caller checks its alphabet and length first.
 *
 * @example
 * fromBase64Url('-_8') // Uint8Array [251, 255]
 */
export const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => decodeBase64Url(text)
