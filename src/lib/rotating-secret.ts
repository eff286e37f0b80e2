import { ConfigError } from '../config'

/** 256 bits, for HMAC-SHA-256 keys. */
export const MIN_SECRET_BYTES = 32
const encoder = new TextEncoder()

function secretBytes(name: string, secret: string | undefined): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(secret ?? ''))
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(name, `${name} is missing or shorter than ${MIN_SECRET_BYTES} bytes`)
  }
  return bytes
}

/** Derives from `name` and, during a rotation, `<name>_PREVIOUS` (current first); cached until either changes. */
export function rotatingSecret<T>(name: string, derive: (secrets: Uint8Array<ArrayBuffer>[]) => Promise<T>) {
  let cached: { current?: string; previous?: string; value: Promise<T> } | undefined
  return (current: string | undefined, previousOrEmpty: string | undefined): Promise<T> => {
    const previous = previousOrEmpty || undefined
    if (cached && cached.current === current && cached.previous === previous) return cached.value
    const secrets = [secretBytes(name, current)]
    if (previous !== undefined) secrets.push(secretBytes(`${name}_PREVIOUS`, previous))
    cached = { current, previous, value: derive(secrets) }
    return cached.value
  }
}
