import { auditEvent, type EventOrigin } from '../audit/events'
import { type BatchResults, batchByName, type Database } from '../data/client'
import { releaseAttempt, reserveAttempt, type ThrottleKeys } from '../data/login-throttles'
import type { NewAuditEvent, User } from '../data/schema'
import { reserveOnDevice, trustDevice } from '../data/trusted-devices'
import { selectPasswordHashBySeed, selectUserByLogin } from '../data/users'
import { base64Url, fromBase64Url } from '../lib/base64url'
import { normalizeIdentifier } from '../lib/normalize'
import type { LoginThrottleSettings } from '../settings'
import {
  currentParams,
  dummyPasswordHash,
  type Hashing,
  hashParams,
  hmac,
  type Pepper,
  type Peppers,
  verifyPassword,
} from './passwords'

// Every password check, at login or to change a password, runs here: reserved on the
// login limits' counters (or, from a trusted device, on that device's) first, then verified,
// and only then answered.

/**
 * The counter names for a check of `login` from `network`. The login is named by its
 * HMAC under a key derived from the pepper: fixed-size whatever was typed, the same for
 * unknown and real accounts, and nothing a copy of D1 can be read back from (people do
 * type their password into the username field).
 *
 * @example
 * await throttleKeys(peppers.current, 'Alice', '2001:db8:1:2::/64')
 * // { ip: 'ip:2001:db8:1:2::/64', account: 'account:<43 chars>', pair: 'pair:<43 chars>@2001:db8:1:2::/64' }
 */
export async function throttleKeys(pepper: Pepper, login: string, network: string): Promise<ThrottleKeys> {
  const account = base64Url(await hmac(pepper.throttleKey, normalizeIdentifier(login)))
  return { ip: `ip:${network}`, account: `account:${account}`, pair: `pair:${account}@${network}` }
}

/**
 * A number standing for the typed login, the same on every request and unrelated to any
 * other login's: taken from its counter name, an HMAC.
 */
const loginSeed = (keys: ThrottleKeys): number =>
  new DataView(fromBase64Url(keys.account.slice('account:'.length, 'account:'.length + 8)).buffer).getUint32(0)

type Reservation = BatchResults<ReturnType<typeof reserveAttempt>>

/** Whether the reservation was granted; if not, how long until it would be. */
function reservationOutcome({ reserve, state }: Pick<Reservation, 'reserve' | 'state'>, now: number) {
  if (reserve.length > 0) {
    return { admitted: true as const, blockStarted: reserve.some((row) => row.blockedUntil > now) }
  }
  const account = state.find((row) => row.key.startsWith('account:'))
  const clean = state.every((row) => row === account || row.remaining === 0)
  const waits = state.map((row) => {
    if (row.blockedUntil <= now) return 0
    // A clean client waits for the account's passage, not for its block.
    const until = row === account && clean ? Math.min(row.nextCleanAttemptAt, row.blockedUntil) : row.blockedUntil
    return until - now
  })
  return { admitted: false as const, retryAfter: Math.max(1, ...waits) }
}

/**
 * A password to check: typed at login for `login` (from a device presenting the token that
 * hashes to `deviceHash`, if any), or the current one of a signed-in `user`.
 */
type PasswordAttempt = { password: string; network: string } & (
  | { login: string; deviceHash?: string; user?: undefined }
  | { user: User; login?: undefined; deviceHash?: undefined }
)

type CheckSettings = { hashing: Hashing; peppers: Peppers; throttle: LoginThrottleSettings; deviceTtlMs: number }

/** What a check came to. */
type PasswordCheck =
  /** Refused before hashing: the limits are reached. */
  | { result: 'refused'; retryAfter: number }
  /** Wrong password, unknown user or disabled account; `blockStarted` when this check started a block. */
  | { result: 'failed'; user: User | undefined; blockStarted: boolean }
  /**
   * Right: `release` gives the reservation back, to be written with whatever the success
   * changes; `trustedDevice` when it was counted on the presented device alone.
   */
  | {
      result: 'passed'
      user: User
      release: ReturnType<typeof releaseAttempt> | ReturnType<typeof trustDevice>
      trustedDevice: boolean
    }

/**
 * Checks a password under the login limits. The check is reserved on its counters in the
 * same D1 batch that reads the user (one round trip), so however many arrive at once, at
 * most the limit are checked. An unknown user costs one PBKDF2 run too, against a dummy
 * with a real account's parameters; a disabled one fails like a wrong password.
 *
 * @example
 * const check = await checkPassword(db, { login: 'alice', password, network }, settings)
 * if (check.result === 'refused') …
 */
export async function checkPassword(
  db: Database,
  attempt: PasswordAttempt,
  settings: CheckSettings,
): Promise<PasswordCheck> {
  if (attempt.deviceHash !== undefined) {
    const onDevice = await checkOnDevice(db, { ...attempt, deviceHash: attempt.deviceHash }, settings)
    if (onDevice) return onDevice
  }
  const { hashing, peppers, throttle } = settings
  const keys = await throttleKeys(hashing.pepper, attempt.login ?? attempt.user.username, attempt.network)
  const now = Math.floor(Date.now() / 1000)
  const reservation = reserveAttempt(db, keys, throttle, now)
  let outcome: ReturnType<typeof reservationOutcome>
  let user = attempt.user
  let sample: string | undefined
  if (attempt.login === undefined) {
    outcome = reservationOutcome(await batchByName(db, reservation), now)
  } else {
    const read = await batchByName(db, {
      ...reservation,
      user: selectUserByLogin(db, attempt.login),
      sample: selectPasswordHashBySeed(db, loginSeed(keys)),
    })
    outcome = reservationOutcome(read, now)
    user = read.user.at(0)
    sample = read.sample.at(0)?.passwordHash
  }
  // Refused means refused: no hashing, and the same answer whether the password is right.
  if (!outcome.admitted) return { result: 'refused', retryAfter: outcome.retryAfter }

  const stored = user?.passwordHash ?? dummyPasswordHash(hashParams(sample) ?? currentParams(hashing))
  const valid = await verifyPassword(attempt.password, stored, peppers)
  if (user === undefined || !valid || user.disabledAt !== null) {
    return { result: 'failed', user, blockStarted: outcome.blockStarted }
  }
  return { result: 'passed', user, release: releaseAttempt(db, keys, throttle), trustedDevice: false }
}

/**
 * Checks a login's password on the device that presented a token, counted on that device's
 * failures alone (`reserveOnDevice`), in the batch that reads the user. Undefined when the
 * token is not one this account's trusted devices hold (unknown, another account's, revoked,
 * expired or spent): the login is then checked as any other, and nothing tells which.
 */
async function checkOnDevice(
  db: Database,
  { login, password, deviceHash }: { login: string; password: string; deviceHash: string },
  { peppers, throttle, deviceTtlMs }: CheckSettings,
): Promise<PasswordCheck | undefined> {
  const now = new Date()
  const read = await batchByName(db, {
    reserved: reserveOnDevice(db, { hash: deviceHash, login, now, maxFailures: throttle.maxPerDevice }),
    user: selectUserByLogin(db, login),
  })
  const user = read.user.at(0)
  if (read.reserved.length === 0 || user === undefined) return undefined
  if (!(await verifyPassword(password, user.passwordHash, peppers)) || user.disabledAt !== null) {
    return { result: 'failed', user, blockStarted: false }
  }
  return { result: 'passed', user, release: trustDevice(db, deviceHash, now, deviceTtlMs), trustedDevice: true }
}

/**
 * The audit events of a failed check: `login_failed`, and `login_blocked` when it started
 * a block. The refused attempts that follow leave no row each: the block's start says it.
 */
export function failedCheckEvents(
  check: PasswordCheck & { result: 'failed' },
  origin: EventOrigin,
): [NewAuditEvent, ...NewAuditEvent[]] {
  const subject = check.user?.id ?? null
  const failed = auditEvent('login_failed', subject, origin)
  return check.blockStarted ? [failed, auditEvent('login_blocked', subject, origin, failed.createdAt)] : [failed]
}
