import type { Database } from '../data/client'
import type { User } from '../data/schema'
import { insertDevice } from '../data/trusted-devices'
import { hasOpaqueTokenShape, newOpaqueToken, opaqueTokenHash } from '../lib/opaque-token'

// OWASP's "device cookies": see docs/security.md#lockout.

/** A malformed token is ignored like an unknown one, not refused. */
export const presentedDeviceHash = async (token: string | undefined): Promise<string | undefined> =>
  token !== undefined && hasOpaqueTokenShape(token) ? opaqueTokenHash(token) : undefined

/** `statements` join the login's batch and write only if `user.tokenVersion` is still the account's. */
export async function startDevice(
  db: Database,
  user: Pick<User, 'id' | 'tokenVersion'>,
  ttlMs: number,
  now = new Date(),
) {
  const deviceToken = newOpaqueToken()
  const statements = insertDevice(db, { hash: await opaqueTokenHash(deviceToken), user, now, ttlMs })
  return { statements, deviceToken, deviceExpiresIn: Math.floor(ttlMs / 1000) }
}
