import { findApiKeyInOrg } from '../data/api-keys'
import type { Database } from '../data/client'
import { apiKeyThrottleKey } from '../data/login-throttles'
import type { ApiKey } from '../data/schema'
import { apiKeyHash, publicIdOf } from './api-key-codec'

// Never a secret hash at rest: compared against when no key has the public id, so a miss costs what a hit does.
const NO_KEY_HASH = '-'.repeat(43)

const encoder = new TextEncoder()

/** `crypto.subtle.timingSafeEqual` needs equal lengths; both are SHA-256 in base64url. */
const sameHash = (a: string, b: string) => {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y)
}

type Found = Awaited<ReturnType<typeof findApiKeyInOrg>>

export type ApiKeyCheck =
  /** A wrong key from a client whose failure counter is blocked: not counted again. */
  | { result: 'throttled'; retryAfter: number }
  /** Malformed, unknown or wrong: a guess. */
  | { result: 'unknown'; malformed: boolean }
  /** Genuine, but revoked, expired or outliving a creator who lost the right to create it. */
  | { result: 'refused'; key: ApiKey; expired: boolean }
  /** Genuine and live, but not this organization's. */
  | { result: 'elsewhere' }
  | { result: 'accepted'; key: ApiKey; org: NonNullable<Found['org']>; member: Found['member'] }

/** One query whatever the key; the decision is made here, on what D1 holds now. */
export async function checkApiKey(
  db: Database,
  presented: string,
  { orgId, memberId, network, now }: { orgId: string; memberId?: string; network: string; now: Date },
): Promise<ApiKeyCheck> {
  const publicId = publicIdOf(presented)
  if (publicId === undefined) return { result: 'unknown', malformed: true }
  const [hash, found] = await Promise.all([
    apiKeyHash(presented),
    findApiKeyInOrg(db, { publicId, orgId, memberId, throttleKey: apiKeyThrottleKey(network) }),
  ])
  const { key } = found
  if (!sameHash(hash, key?.secretHash ?? NO_KEY_HASH) || key === null) {
    // Only wrong keys are held: a client sharing the network (NAT, a CI pool) cannot lock out the right one.
    const seconds = Math.floor(now.getTime() / 1000)
    if (found.blockedUntil !== null && found.blockedUntil > seconds) {
      return { result: 'throttled', retryAfter: found.blockedUntil - seconds }
    }
    return { result: 'unknown', malformed: false }
  }
  const expired = key.expiresAt.getTime() <= now.getTime()
  if (key.revokedAt !== null || expired || !(key.survivesCreator || found.creatorEntitled)) {
    return { result: 'refused', key, expired: expired && key.revokedAt === null }
  }
  if (found.org === null) return { result: 'elsewhere' }
  return { result: 'accepted', key, org: found.org, member: found.member }
}
