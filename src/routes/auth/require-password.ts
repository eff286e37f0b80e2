import type { Context } from 'hono'
import type { AppEnv } from '../../app-env'
import { presentedDeviceHash } from '../../auth/device-tokens'
import { checkPassword, failedCheckEvents } from '../../auth/password-check'
import type { Account } from '../../data/schema'
import { findUserById } from '../../data/users'
import { ApiError } from '../../http/errors'
import { clientOf, originOf } from '../../http/origin'
import { recordInBackground } from '../../http/write-change'

/** A signed-in user's wrong password is 422, not 401: their session stays valid. */
export async function requirePassword(
  c: Context<AppEnv>,
  attempt: { password: string } & ({ login: string; deviceToken?: string } | { user: Account }),
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
      : { password: attempt.password, user: await withPasswordHash(c, attempt.user), network },
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

/** The signed-in account's row with its hash, which the guard never reads; gone since the guard: its token no longer holds. */
async function withPasswordHash(c: Context<AppEnv>, account: Account) {
  const user = await findUserById(c.var.db, account.id)
  if (user === undefined) throw new ApiError('invalid_token')
  return user
}
