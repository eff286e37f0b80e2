/** The messages Cloudflare documents as transient D1 failures, worth another try. */
const TRANSIENT = ['Network connection lost', 'storage caused object to be reset', 'reset because its code was updated']
const RETRIES = 2
const BACKOFF_MS = 20

/** D1's own error: drizzle wraps it as `cause`, with the query's parameters in its own message. */
const d1Message = (err: unknown): string => {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err
  return inner instanceof Error ? inner.message : String(inner)
}

/**
 * Whether `err` came from D1 rather than from our code: `D1_ERROR: …`, `D1_EXEC_ERROR: …`, or,
 * from a failed batch, SQLite's message with its code at the end (`no such table: users: SQLITE_ERROR`),
 * or a locked local D1's `Failed to get session commit token: …`, which has neither.
 */
export const isD1Error = (err: unknown): boolean =>
  /^D1_[A-Z_]+|: SQLITE_[A-Z_]+$|^Failed to get session commit token\b/.test(d1Message(err))

/** The message of D1's error inside a drizzle wrapper (or of `err` itself): no SQL parameters, safe to log. */
export const loggableMessage = d1Message

const isTransient = (err: unknown) => TRANSIENT.some((text) => d1Message(err).includes(text))

/**
 * Runs an idempotent read, and again (at most twice, after a short back-off)
 * when D1 fails transiently. Never for writes: a write that failed in transit
 * may have been applied.
 *
 * @example
 * const user = await readWithRetry(() => db.select().from(users).where(eq(users.id, id)).get())
 */
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
