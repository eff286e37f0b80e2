/** Transient D1 failures, as Cloudflare documents them. */
const TRANSIENT = ['Network connection lost', 'storage caused object to be reset', 'reset because its code was updated']
const RETRIES = 2
const BACKOFF_MS = 20

/** Drizzle wraps D1's error as `cause`; its own message includes the query's parameters. */
const d1Message = (err: unknown): string => {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err
  return inner instanceof Error ? inner.message : String(inner)
}

/** `D1_…` prefix, a failed batch's `: SQLITE_…` suffix, or a locked local D1's session commit token error. */
export const isD1Error = (err: unknown): boolean =>
  /^D1_[A-Z_]+|: SQLITE_[A-Z_]+$|^Failed to get session commit token\b/.test(d1Message(err))

/** Without SQL parameters: safe to log. */
export const loggableMessage = d1Message

const isTransient = (err: unknown) => TRANSIENT.some((text) => d1Message(err).includes(text))

/** Reads only: a write that failed in transit may have been applied. */
export async function readWithRetry<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read()
    } catch (err) {
      if (attempt >= RETRIES || !isTransient(err)) throw err
      await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** attempt))
    }
  }
}
