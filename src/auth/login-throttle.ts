import { inArray, sql } from 'drizzle-orm'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { authEvent, logAuthEvents, originOf } from '../audit/auth-event'
import type { LoginThrottleSettings } from '../config'
import type { Database } from '../db/client'
import { authEvents, loginThrottles } from '../db/schema'
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
 * The atomic upserts that count one failure on each counter. A counter at its
 * limit is blocked for `lockoutSeconds`, doubled for every failure past the
 * limit, up to `maxLockoutSeconds`; failures older than the window start over.
 */
function failureUpserts(db: Database, keys: ThrottleKey[], settings: LoginThrottleSettings, now: number) {
  const { windowSeconds, lockoutSeconds, maxLockoutSeconds } = settings
  const failures = sql`(case when ${loginThrottles.lastFailedAt} <= ${now - windowSeconds} then 1 else ${loginThrottles.failures} + 1 end)`
  return keys.map(({ key, limit }) =>
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
}

/**
 * After a successful login the account's counters start over (the IP's does not):
 * the delete that does it, or nothing when `rows` (the counters read) hold none.
 */
export function clearAccountThrottles(db: Database, rows: { key: string }[]) {
  const accountKeys = rows.map(({ key }) => key).filter((key) => !key.startsWith('ip:'))
  return accountKeys.length === 0
    ? undefined
    : db.delete(loginThrottles).where(inArray(loginThrottles.key, accountKeys))
}

/**
 * Counts a failed login on its counters and audits it as `login_failed`, in one
 * batch, before the answer: parallel guesses cannot outrun the counters.
 */
export async function recordFailedLogin(
  c: Context<AppEnv>,
  failure: { keys: ThrottleKey[]; settings: LoginThrottleSettings; now: number; subject: string | null },
) {
  const { keys, settings, now, subject } = failure
  const db = c.var.db
  const event = authEvent('login_failed', subject, originOf(c, null))
  await db.batch([db.insert(authEvents).values(event), ...failureUpserts(db, keys, settings, now)])
  logAuthEvents(c, [event])
}
