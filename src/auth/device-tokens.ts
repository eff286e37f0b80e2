import type { Database } from '../data/client'
import type { User } from '../data/schema'
import { insertDevice } from '../data/trusted-devices'
import { hasOpaqueTokenShape, newOpaqueToken, opaqueTokenHash } from '../lib/opaque-token'

// Device tokens (OWASP's "device cookies"): a login that succeeds gives the client a token for
// this account, and a later login that presents it is counted on that device's own failures,
// never on the counters that a lockout aimed at strangers fills. So an account blocked by
// guesses from everywhere else still lets in the devices that logged in before.

/**
 * The SHA-256 of a presented device token, or undefined for anything not spelt as one: a
 * malformed token is ignored, like an unknown one, not refused.
 */
export const presentedDeviceHash = async (token: string | undefined): Promise<string | undefined> =>
  token !== undefined && hasOpaqueTokenShape(token) ? opaqueTokenHash(token) : undefined

/**
 * A device token for `user`, newly trusted: `statements` go into the batch that completes the
 * login or password change, and are written only if `user.tokenVersion` is still the account's.
 */
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
