import { inArray, sql } from 'drizzle-orm'
import type { LoginThrottleSettings } from '../config'
import type { Database } from '../db/client'
import { loginThrottles } from '../db/schema'
import { normalizeIdentifier } from '../lib/normalize'

/** A failure counter and the number of failures within the window that blocks it. */
export type ThrottleKey = { key: string; limit: number }

/**
 * The counters a login as `login` from `ip` touches: the IP's, the account's and
 * the pair's. The pair trips early and blocks only that IP; the account trips much
 * later, so one IP's failures cannot lock the account out for everyone else. The
 * account is named by what was typed (normalised), so unknown accounts are counted
 * and blocked exactly like real ones.
 */
export function throttleKeys(login: string, ip: string, settings: LoginThrottleSettings): ThrottleKey[] {
  const account = normalizeIdentifier(login)
  return [
    { key: `ip:${ip}`, limit: settings.maxPerIp },
    { key: `account:${account}`, limit: settings.maxPerAccount },
    { key: `account-ip:${account}|${ip}`, limit: settings.maxPerAccountAndIp },
  ]
}

export const readThrottles = (db: Database, keys: ThrottleKey[]) =>
  db
    .select()
    .from(loginThrottles)
    .where(
      inArray(
        loginThrottles.key,
        keys.map(({ key }) => key),
      ),
    )

/** Seconds until every block on these counters has ended; 0 when none is in force. */
export const blockedFor = (rows: { blockedUntil: number }[], now: number): number =>
  Math.max(0, ...rows.map((row) => row.blockedUntil - now))

/**
 * Counts one failure on each counter, in one batch of atomic upserts. A counter at
 * its limit is blocked for `lockoutSeconds`, doubled for every failure past the
 * limit, up to `maxLockoutSeconds`; failures older than the window start over.
 */
export function recordFailure(db: Database, keys: ThrottleKey[], settings: LoginThrottleSettings, now: number) {
  const { windowSeconds, lockoutSeconds, maxLockoutSeconds } = settings
  const failures = sql`(case when ${loginThrottles.lastFailedAt} <= ${now - windowSeconds} then 1 else ${loginThrottles.failures} + 1 end)`
  const [first, ...rest] = keys.map(({ key, limit }) =>
    db
      .insert(loginThrottles)
      .values({ key, failures: 1, lastFailedAt: now, blockedUntil: limit <= 1 ? now + lockoutSeconds : 0 })
      .onConflictDoUpdate({
        target: loginThrottles.key,
        set: {
          failures,
          lastFailedAt: now,
          // `<<` doubles: SQLite has no pow() everywhere D1 runs. The shift is capped long before overflow.
          blockedUntil: sql`case when ${failures} >= ${limit} then ${now} + min(${maxLockoutSeconds}, ${lockoutSeconds} << min(${failures} - ${limit}, 20)) else ${loginThrottles.blockedUntil} end`,
        },
      }),
  )
  return db.batch([first, ...rest])
}

/** After a successful login: the account's counters start over; the IP's does not. */
export const clearAccountThrottles = (db: Database, keys: ThrottleKey[]) =>
  db.delete(loginThrottles).where(
    inArray(
      loginThrottles.key,
      keys.filter(({ key }) => !key.startsWith('ip:')).map(({ key }) => key),
    ),
  )
