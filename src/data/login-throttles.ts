import { inArray, lte, type SQL, sql } from 'drizzle-orm'
import { type AnySQLiteColumn, alias } from 'drizzle-orm/sqlite-core'
import type { LoginThrottleSettings } from '../settings'
import { type Database, deleteSome } from './client'
import { loginThrottles } from './schema'

/**
 * The counters one password check is charged to: the client network's (credential
 * stuffing), the account's as typed (distributed guessing) and the pair's (one
 * client guessing one account; trips early and blocks only that client).
 */
export type ThrottleKeys = { ip: string; account: string; pair: string }

/** The counters table, or an alias of it in a subquery. */
type Counters = Record<'key' | 'attempts' | 'lastAttemptAt' | 'blockedUntil', AnySQLiteColumn>
const other = alias(loginThrottles, 'other')
const pairOrIp = alias(loginThrottles, 'pair_or_ip')

/**
 * Attempts still on a counter: one drains per quiet window, a window of
 * `windowSeconds` without any attempt and outside any block. A block is not
 * quiet, so waiting one out earns nothing, and escalation is only undone slowly.
 */
const drained = (t: Counters, now: number, { windowSeconds }: LoginThrottleSettings) =>
  sql`max(${t.attempts} - cast(max(${now} - max(${t.lastAttemptAt}, ${t.blockedUntil}), 0) / ${windowSeconds} as integer), 0)`

/** The limit of the counter in `t`, told by its name. */
const limitOf = (t: Counters, keys: ThrottleKeys, settings: LoginThrottleSettings) =>
  sql`(case ${t.key} when ${keys.ip} then ${settings.maxPerIp} when ${keys.account} then ${settings.maxPerAccount} else ${settings.maxPerAccountAndIp} end)`

/** Whether the client has a clean history: no attempt left on its network's or its pair's counter. */
const clean = (keys: ThrottleKeys, now: number, settings: LoginThrottleSettings) =>
  sql`not exists (select 1 from ${loginThrottles} as ${pairOrIp} where ${inArray(pairOrIp.key, [keys.ip, keys.pair])} and ${drained(pairOrIp, now, settings)} > 0)`

/**
 * Whether a check may go ahead, judged on the counters as they are: none of them is
 * blocked. The account's block is the exception for a client with a clean history, one
 * such client per `lockoutSeconds`: so an account blocked by failures from elsewhere,
 * however long its block, still lets its owner in within that delay, while an attacker
 * gets no more than one check per delay, each from an address it had not used.
 */
function admitted(keys: ThrottleKeys, now: number, settings: LoginThrottleSettings): SQL {
  const names = [keys.ip, keys.account, keys.pair]
  const cleanPassage = sql`${other.key} = ${keys.account} and ${other.nextCleanAttemptAt} <= ${now} and ${clean(keys, now, settings)}`
  return sql`not exists (select 1 from ${loginThrottles} as ${other} where ${inArray(other.key, names)} and ${other.blockedUntil} > ${now} and not (${cleanPassage}))`
}

/**
 * Reserves one password check on every counter, before any hashing: three statements
 * for the batch that also reads the user, so the reservation is atomic (D1 runs a batch
 * as one transaction, and one at a time per database) and costs no extra round trip.
 * However many checks arrive at once, each sees the ones reserved before it.
 *
 * D1 rather than a Durable Object per account: the login reads D1 anyway, so here the
 * reservation rides in that round trip, while a Durable Object would add one (two, with
 * the client's counter in an object of its own) before the hashing. Measured with
 * `npm run bench`: one round trip before the answer, as before for a right password and
 * one fewer for a wrong one; see README, "Benchmark".
 *
 * A counter that reaches its limit blocks for `lockoutSeconds`, doubled for every
 * attempt past the limit, up to `maxLockoutSeconds`. Read the outcome with
 * `reservationOutcome`; give a successful check's reservation back with `releaseAttempt`.
 */
export function reserveAttempt(db: Database, keys: ThrottleKeys, settings: LoginThrottleSettings, now: number) {
  const t = loginThrottles
  const allowed = admitted(keys, now, settings)
  // Rows for counters seen for the first time; none for a refused check, so refusals store nothing.
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
      // Admitted while blocked: this check took the account's clean-client passage.
      nextCleanAttemptAt: sql`(case when ${t.blockedUntil} > ${now} then ${now} + ${lockoutSeconds} else ${t.nextCleanAttemptAt} end)`,
      expiresAt: sql`max(${now}, ${blockedUntil}) + ${attempts} * ${windowSeconds}`,
    })
    .where(sql`${inArray(t.key, [keys.ip, keys.account, keys.pair])} and ${allowed}`)
    .returning({ blockedUntil: t.blockedUntil })
  // What a refusal's Retry-After is made of.
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

/**
 * A successful check gives back its own reservation and nothing more: each counter loses this
 * one attempt (the others were guesses, whoever made them, the same client's included), and a
 * block stays only while the attempts left are still at the limit.
 */
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

/** Deletes up to `limit` counters drained by `now` (seconds): they hold nothing any more. */
export const deleteDrainedCounters = (db: Database, now: number, limit: number) =>
  deleteSome(db, loginThrottles, loginThrottles.key, lte(loginThrottles.expiresAt, now), limit)
