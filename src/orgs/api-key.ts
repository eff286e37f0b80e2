import { apiKeyHash, newApiKey } from '../auth/api-key-codec'
import type { ApiKeyRole, NewApiKey } from '../data/schema'
import { uuidv7 } from '../lib/uuid-v7'
import { displayName } from '../lib/visible-text'

const DAY_MS = 86_400_000

export const apiKeyNameSchema = displayName(100)

export const MAX_API_KEY_DAYS = 365
export const DEFAULT_API_KEY_DAYS = 90

export type ApiKeyInput = { name: string; role: ApiKeyRole; expiresInDays: number; survivesCreator: boolean }

/** The key itself is returned once, to the creator; only its hash is in `row`. */
export async function buildApiKey(
  { name, role, expiresInDays, survivesCreator }: ApiKeyInput,
  { orgId, createdBy }: { orgId: string; createdBy: string | null },
  now = new Date(),
) {
  const { key, publicId } = newApiKey()
  const row = {
    id: uuidv7(now.getTime()),
    orgId,
    publicId,
    secretHash: await apiKeyHash(key),
    name,
    role,
    createdBy,
    survivesCreator,
    createdAt: now,
    expiresAt: new Date(now.getTime() + expiresInDays * DAY_MS),
  } satisfies NewApiKey
  return { row, key }
}
