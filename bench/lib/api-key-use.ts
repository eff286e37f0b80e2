import { eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { apiKeys } from '../../src/data/schema'

/**
 * Clears the key's `last_used_at`, so its next accepted request writes it after the response: the write a
 * busy key makes once a minute, which a metered pass of a few seconds would otherwise see or not by chance.
 */
export async function forgetApiKeyUse(d1: D1Database, id: string): Promise<void> {
  await drizzle(d1).update(apiKeys).set({ lastUsedAt: null }).where(eq(apiKeys.id, id))
}
