/** What a login or a refresh leaves the client holding. */
export type Tokens = { token: string; refreshToken: string }

/**
 * Where the client keeps its tokens: memory by default; an adapter can keep them in a cookie
 * jar, the keychain or an encrypted store. May be synchronous or asynchronous.
 *
 * @example
 * const storage: TokenStorage = {
 *   get: () => keychain.read('orgstack'),
 *   set: (tokens) => keychain.write('orgstack', tokens),
 *   clear: () => keychain.delete('orgstack'),
 * }
 */
export interface TokenStorage {
  get(): Tokens | null | Promise<Tokens | null>
  set(tokens: Tokens): void | Promise<void>
  clear(): void | Promise<void>
}

/**
 * Tokens held in this object only: gone when the page or process ends.
 *
 * @example
 * const api = createClient({ baseUrl, storage: memoryStorage() })
 */
export function memoryStorage(): TokenStorage {
  let held: Tokens | null = null
  return {
    get: () => held,
    set: (tokens) => {
      held = tokens
    },
    clear: () => {
      held = null
    },
  }
}
