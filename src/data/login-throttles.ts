import { inArray, lte, type SQL, sql } from 'drizzle-orm'
import { type AnySQLiteColumn, alias } from 'drizzle-orm/sqlite-core'
import type { LoginThrottleSettings } from '../settings'
import { type Database, deleteSome } from './client'
import { loginThrottles } from './schema'

/** Network (credential stuffing), account (distributed guessing), and pair (trips early, blocks one client). */
export type ThrottleKeys = { ip: string; account: string; pair: string }

type Counters = Record<'key' | 'attempts' | 'lastAttemptAt' | 'blockedUntil', AnySQLiteColumn>
const other = alias(loginThrottles, 'other')
const pairOrIp = alias(loginThrottles, 'pair_or_ip')

/** One attempt drains per quiet window; a block is not quiet, so waiting one out earns nothing. */
const drained = (t: Counters, now: number, { windowSeconds }: LoginThrottleSettings) =>
  sql`max(${t.attempts} - cast(max(${now} - max(${t.lastAttemptAt}, ${t.blockedUntil}), 0) / ${windowSeconds} as integer), 0)`

const limitOf = (t: Counters, keys: ThrottleKeys, settings: LoginThrottleSettings) =>
  sql`(case ${t.key} when ${keys.ip} then ${settings.maxPerIp} when ${keys.account} then ${settings.maxPerAccount} else ${settings.maxPerAccountAndIp} end)`

/** No attempt left on the client's network or pair counter. */
const clean = (keys: ThrottleKeys, now: number, settings: LoginThrottleSettings) =>
  sql`not exists (select 1 from ${loginThrottles} as ${pairOrIp} where ${inArray(pairOrIp.key, [keys.ip, keys.pair])} and ${drained(pairOrIp, now, settings)} > 0)`

/** No counter blocked, except the account's for one clean client per `lockoutSeconds` (docs/security.md, "Lockout"). */
function admitted(keys: ThrottleKeys, now: number, settings: LoginThrottleSettings): SQL {
  const names = [keys.ip, keys.account, keys.pair]
  const cleanPassage = sql`${other.key} = ${keys.account} and ${other.nextCleanAttemptAt} <= ${now} and ${clean(keys, now, settings)}`
  return sql`not exists (select 1 from ${loginThrottles} as ${other} where ${inArray(other.key, names)} and ${other.blockedUntil} > ${now} and not (${cleanPassage}))`
}

/** Reserves one check on every counter before hashing, in the batch that reads the user: atomic, no extra round trip. */
export function reserveAttempt(db: Database, keys: ThrottleKeys, settings: LoginThrottleSettings, now: number) {
  const t = loginThrottles
  const allowed = admitted(keys, now, settings)
  // No row for a refused check, so refusals store nothing.
  const create = db
    .insert(t)
    .select((qb) =>
      qb
        .select({
          key: sql<string>`column1`.as('key'),
          attempts: sql<number>`0`.as('attempts'),
          lastAttemptAt: sql<number>`${now}`.as('last_attempt_at'),
          blockedUntil: sql<number>`0`.as('blocked_until'),
          nextCleanAttemptAt: sql<number>`0`.as('next_clean_attempt_at'),
          expiresAt: sql<number>`${now}`.as('expires_at'),
        })
        .from(sql`(values (${keys.ip}), (${keys.account}), (${keys.pair}))`)
        .where(allowed),
    )
    .onConflictDoNothing()
  const attempts = sql`(${drained(t, now, settings)} + 1)`
  const limit = limitOf(t, keys, settings)
  const { lockoutSeconds, maxLockoutSeconds, windowSeconds } = settings
  // `<<` doubles: SQLite has no pow() everywhere D1 runs. The shift is capped long before overflow.
  const blockedUntil = sql`(case when ${attempts} >= ${limit} then ${now} + min(${maxLockoutSeconds}, ${lockoutSeconds} << min(${attempts} - ${limit}, 20)) else ${t.blockedUntil} end)`
  const reserve = db
    .update(t)
    .set({
      attempts,
      lastAttemptAt: now,
      blockedUntil,
      // Admitted while blocked: this check used the account's clean-client slot.
      nextCleanAttemptAt: sql`(case when ${t.blockedUntil} > ${now} then ${now} + ${lockoutSeconds} else ${t.nextCleanAttemptAt} end)`,
      expiresAt: sql`max(${now}, ${blockedUntil}) + ${attempts} * ${windowSeconds}`,
    })
    .where(sql`${inArray(t.key, [keys.ip, keys.account, keys.pair])} and ${allowed}`)
    .returning({ blockedUntil: t.blockedUntil })
  // For a refusal's Retry-After.
  const state = db
    .select({
      key: t.key,
      blockedUntil: t.blockedUntil,
      nextCleanAttemptAt: t.nextCleanAttemptAt,
      remaining: sql<number>`${drained(t, now, settings)}`,
    })
    .from(t)
    .where(inArray(t.key, [keys.ip, keys.account, keys.pair]))
  return { create, reserve, state }
}

/** Releases only this success's own attempt: earlier guesses, the same client's included, still count. */
export function releaseAttempt(db: Database, keys: ThrottleKeys, settings: LoginThrottleSettings) {
  const t = loginThrottles
  const attempts = sql`max(${t.attempts} - 1, 0)`
  const blockedUntil = sql`(case when ${t.attempts} - 1 >= ${limitOf(t, keys, settings)} then ${t.blockedUntil} else 0 end)`
  return db
    .update(t)
    .set({
      attempts,
      blockedUntil,
      expiresAt: sql`max(${t.lastAttemptAt}, ${blockedUntil}) + ${attempts} * ${settings.windowSeconds}`,
    })
    .where(inArray(t.key, [keys.ip, keys.account, keys.pair]))
}

export const deleteDrainedCounters = (db: Database, now: number, limit: number) =>
  deleteSome(db, loginThrottles, loginThrottles.key, lte(loginThrottles.expiresAt, now), limit)

/** A client's failed API key checks: counted like a network's failed logins, on a counter of its own. */
export const apiKeyThrottleKey = (network: string) => `api-key:${network}`

/** After a wrong key: one more failure on the client's counter, which blocks it at `maxPerIp` (docs/security.md, "API keys"). */
export function countKeyFailure(db: Database, network: string, settings: LoginThrottleSettings, now: number) {
  const t = loginThrottles
  const { maxPerIp, lockoutSeconds, maxLockoutSeconds, windowSeconds } = settings
  const attempts = sql`(${drained(t, now, settings)} + 1)`
  const blockedUntil = sql`(case when ${attempts} >= ${maxPerIp} then ${now} + min(${maxLockoutSeconds}, ${lockoutSeconds} << min(${attempts} - ${maxPerIp}, 20)) else ${t.blockedUntil} end)`
  const firstBlock = maxPerIp <= 1 ? now + lockoutSeconds : 0
  return db
    .insert(t)
    .values({
      key: apiKeyThrottleKey(network),
      attempts: 1,
      lastAttemptAt: now,
      blockedUntil: firstBlock,
      nextCleanAttemptAt: 0,
      expiresAt: Math.max(now, firstBlock) + windowSeconds,
    })
    .onConflictDoUpdate({
      target: t.key,
      set: {
        attempts,
        lastAttemptAt: now,
        blockedUntil,
        expiresAt: sql`max(${now}, ${blockedUntil}) + ${attempts} * ${windowSeconds}`,
      },
    })
}
