import { decodeBase64, decodeBase64Url, encodeBase64, encodeBase64Url } from 'hono/utils/encode'

const bufferOf = (bytes: ArrayBuffer | Uint8Array) => (bytes instanceof Uint8Array ? bytes.slice().buffer : bytes)

/** Base64url without padding, as JOSE uses it. */
export const base64Url = (bytes: ArrayBuffer | Uint8Array): string =>
  encodeBase64Url(bufferOf(bytes)).replace(/=+$/, '')

/** The caller validates the alphabet and length first. */
export const fromBase64Url = (text: string): Uint8Array<ArrayBuffer> => decodeBase64Url(text)

/** Standard base64 without padding, as PHC hash strings use it. */
export const base64 = (bytes: ArrayBuffer | Uint8Array): string => encodeBase64(bufferOf(bytes)).replace(/=+$/, '')

/** The caller validates the alphabet first. */
export const fromBase64 = (text: string): Uint8Array<ArrayBuffer> => decodeBase64(text)
