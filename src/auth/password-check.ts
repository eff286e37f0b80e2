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

/** The login is an HMAC: fixed-size, and never readable from D1 (people type passwords as usernames). */
export async function throttleKeys(pepper: Pepper, login: string, network: string): Promise<ThrottleKeys> {
  const account = base64Url(await hmac(pepper.throttleKey, normalizeIdentifier(login)))
  return { ip: `ip:${network}`, account: `account:${account}`, pair: `pair:${account}@${network}` }
}

/** Stable for one login and unrelated to any other's, so an unknown login always costs the same. */
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

type PasswordAttempt = { password: string; network: string } & (
  | { login: string; deviceHash?: string; user?: undefined }
  | { user: User; login?: undefined; deviceHash?: undefined }
)

type CheckSettings = { hashing: Hashing; peppers: Peppers; throttle: LoginThrottleSettings; deviceTtlMs: number }

type PasswordCheck =
  | { result: 'refused'; retryAfter: number }
  /** Wrong password, unknown user or disabled account. */
  | { result: 'failed'; user: User | undefined; blockStarted: boolean }
  /** `release` returns the reservation, written in the success's batch. */
  | {
      result: 'passed'
      user: User
      release: ReturnType<typeof releaseAttempt> | ReturnType<typeof trustDevice>
      trustedDevice: boolean
    }

/** Reserved in the batch that reads the user, so however many race, at most the limit are checked. */
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
  // No hashing, and the same response whether or not the password is right.
  if (!outcome.admitted) return { result: 'refused', retryAfter: outcome.retryAfter }

  const stored = user?.passwordHash ?? dummyPasswordHash(hashParams(sample) ?? currentParams(hashing))
  const valid = await verifyPassword(attempt.password, stored, peppers)
  if (user === undefined || !valid || user.disabledAt !== null) {
    return { result: 'failed', user, blockStarted: outcome.blockStarted }
  }
  return { result: 'passed', user, release: releaseAttempt(db, keys, throttle), trustedDevice: false }
}

/** Undefined for a token this account does not trust: the login is then checked as any other, indistinguishably. */
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

/** Refused attempts leave no row: `login_blocked` marks where they start. */
export function failedCheckEvents(
  check: PasswordCheck & { result: 'failed' },
  origin: EventOrigin,
): [NewAuditEvent, ...NewAuditEvent[]] {
  const subject = check.user?.id ?? null
  const failed = auditEvent('login_failed', subject, origin)
  return check.blockStarted ? [failed, auditEvent('login_blocked', subject, origin, failed.createdAt)] : [failed]
}
