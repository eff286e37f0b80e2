import type { BatchItem } from 'drizzle-orm/batch'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env'

/**
 * Writes the statements `statements` resolves to, in one batch after the answer is sent: for
 * changes the answer does not depend on. A failure is logged as `event`, with the error's name
 * only: drizzle's messages spell out the statements' parameters.
 *
 * @example
 * writeInBackground(c, 'password_rehash_failed', async () => [rehashPassword(db, user, await hashPassword(password, hashing))])
 */
export function writeInBackground(
  c: Context<AppEnv>,
  event: string,
  statements: () => Promise<[BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]>,
  logged: Record<string, unknown> = {},
): void {
  const db = c.var.db
  c.executionCtx.waitUntil(
    statements()
      .then((batch) => db.batch(batch))
      .catch((err: Error) => {
        console.error(JSON.stringify({ level: 'error', event, ...logged, name: err.name }))
      }),
  )
}
