import type { Context } from 'hono'
import type { AppEnv } from '../../app-env'
import { presentedDeviceHash } from '../../auth/device-tokens'
import { checkPassword, failedCheckEvents } from '../../auth/password-check'
import type { User } from '../../data/schema'
import { ApiError } from '../../http/errors'
import { clientOf, originOf } from '../../http/origin'
import { recordInBackground } from '../../http/write-change'

/**
 * Checks the password of a login (`{ login }`) or of the signed-in `{ user }` from this
 * request's client, and answers a check that did not pass: 429 with `Retry-After` when the
 * limits refuse it; when it fails (audited, actor `actor`), 401 `Invalid username or password`
 * for a login and 422 `current_password_incorrect` for a signed-in user, whose session stays
 * valid. A login may present a device token: from a device trusted for that account, it is
 * counted on that device alone. Resolves what a passing check needs: the user, the reservation
 * to give back, whether the device was trusted, and the current hashing parameters.
 */
export async function checkedPassword(
  c: Context<AppEnv>,
  attempt: { password: string } & ({ login: string; deviceToken?: string } | { user: User }),
  actor: string | null,
) {
  const { passwords, throttle, devices } = c.var.settings
  const { hashing, peppers } = passwords
  const settings = { hashing, peppers, throttle, deviceTtlMs: devices.ttlMs }
  const { network } = clientOf(c)
  const check = await checkPassword(
    c.var.db,
    'login' in attempt
      ? { ...attempt, network, deviceHash: await presentedDeviceHash(attempt.deviceToken) }
      : { ...attempt, network },
    settings,
  )
  if (check.result === 'refused') {
    throw new ApiError('too_many_attempts', { headers: { 'Retry-After': String(check.retryAfter) } })
  }
  if (check.result === 'failed') {
    recordInBackground(c, failedCheckEvents(check, originOf(c, actor)))
    throw new ApiError('login' in attempt ? 'invalid_credentials' : 'current_password_incorrect')
  }
  return { user: check.user, release: check.release, trustedDevice: check.trustedDevice, hashing }
}
