/** What a login or a refresh leaves the client holding. */
export type Tokens = { token: string; refreshToken: string }

/**
 * Where the client keeps its tokens: memory by default; an adapter can keep them in a cookie
 * jar, the keychain or an encrypted store. May be synchronous or asynchronous. The device token
 * outlives sessions (`clear` leaves it): an adapter without `getDevice`/`setDevice` keeps none,
 * and every login is then counted as a stranger's.
 *
 * @example
 * const storage: TokenStorage = {
 *   get: () => keychain.read('orgstack'),
 *   set: (tokens) => keychain.write('orgstack', tokens),
 *   clear: () => keychain.delete('orgstack'),
 *   getDevice: () => keychain.read('orgstack-device'),
 *   setDevice: (deviceToken) => keychain.write('orgstack-device', deviceToken),
 * }
 */
export interface TokenStorage {
  get(): Tokens | null | Promise<Tokens | null>
  set(tokens: Tokens): void | Promise<void>
  /** Forgets the session's tokens, not the device token. */
  clear(): void | Promise<void>
  /** The device token the last login answered, sent with the next one. */
  getDevice?(): string | null | Promise<string | null>
  setDevice?(deviceToken: string): void | Promise<void>
}

/**
 * Tokens held in this object only: gone when the page or process ends.
 *
 * @example
 * const orgstack = createClient({ baseUrl, storage: memoryStorage() })
 */
export function memoryStorage(): TokenStorage {
  let held: Tokens | null = null
  let device: string | null = null
  return {
    get: () => held,
    set: (tokens) => {
      held = tokens
    },
    clear: () => {
      held = null
    },
    getDevice: () => device,
    setDevice: (deviceToken) => {
      device = deviceToken
    },
  }
}
