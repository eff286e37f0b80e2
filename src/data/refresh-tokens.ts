import { and, eq, exists, inArray, isNull, lt, lte, notExists, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { recordIfChanged } from './auth-events'
import { type Database, deleteSome } from './client'
import { type NewAuthEvent, refreshFamilies, refreshTokens, users } from './schema'

// Refresh tokens are stored by hash only; see `auth/refresh-tokens.ts` for what the hashes are of.
// Times are milliseconds, as the columns store them, and `now` is always passed in.

const families = refreshFamilies
const tokens = refreshTokens
const successors = alias(refreshTokens, 'successor')

/** A login's family and its first token, by hash; `tokenVersion` is the one its access token carries. */
type NewFamily = {
  id: string
  userId: string
  tokenVersion: number
  tokenHash: string
  now: Date
  idleMs: number
  absoluteMs: number
}

/**
 * Starts a family and its first token: two statements for the batch of a login or a password
 * change. The family is written only while the user's `token_version` is still `tokenVersion`,
 * so a family started as it moves on (a password change racing the login) is not written, and
 * its token is refused like the access token issued alongside.
 *
 * @example
 * await db.batch([...insertFamily(db, { id, userId, tokenVersion, tokenHash, now, idleMs, absoluteMs })])
 */
export function insertFamily(db: Database, family: NewFamily) {
  const now = family.now.getTime()
  const insertFamily = db.insert(families).select((qb) =>
    qb
      .select({
        id: sql<string>`${family.id}`.as('id'),
        userId: users.id,
        tokenVersion: users.tokenVersion,
        createdAt: sql<number>`${now}`.as('created_at'),
        expiresAt: sql<number>`${now + family.absoluteMs}`.as('expires_at'),
        revokedAt: sql<null>`null`.as('revoked_at'),
      })
      .from(users)
      .where(and(eq(users.id, family.userId), eq(users.tokenVersion, family.tokenVersion))),
  )
  const insertToken = db.insert(tokens).select((qb) =>
    qb
      .select({
        hash: sql<string>`${family.tokenHash}`.as('hash'),
        familyId: families.id,
        parentHash: sql<null>`null`.as('parent_hash'),
        createdAt: families.createdAt,
        idleExpiresAt: sql<number>`min(${now + family.idleMs}, ${families.expiresAt})`.as('idle_expires_at'),
        rotatedAt: sql<null>`null`.as('rotated_at'),
      })
      .from(families)
      .where(eq(families.id, family.id)),
  )
  return [insertFamily, insertToken] as const
}

/**
 * Why the presented token (joined with its family and user) may not be refreshed at `now`,
 * or null when it may. Rotation is judged apart: a rotated token may still be in its race.
 */
const refusal = (now: number) =>
  sql<'revoked' | 'expired' | null>`case
    when ${families.revokedAt} is not null or ${users.disabledAt} is not null or ${users.tokenVersion} != ${families.tokenVersion} then 'revoked'
    when ${families.expiresAt} <= ${now} or ${tokens.idleExpiresAt} <= ${now} then 'expired'
  end`

/** One refresh: the token presented, the successor derived from it, and the settings that judge them. */
type Rotation = {
  presentedHash: string
  successorHash: string
  now: Date
  idleMs: number
  reuseIntervalMs: number
  /** Written, with the family's user as its subject, only if this refresh revokes the family. */
  reuseEvent: NewAuthEvent
}

/**
 * A refresh, as one batch (D1 runs it as one transaction, one batch at a time per database):
 *
 * 1. inserts the successor, if the presented token may be refreshed and was never rotated;
 * 2. marks it rotated, if it was not and its successor now exists: so of requests racing with
 *    one token, only the first inserts a successor;
 * 3. revokes the family if the presented token was rotated before the reuse interval: a
 *    replay. Only the first such request changes the row, so only it returns one;
 * 4. records `reuseEvent` if 3 revoked the family;
 * 5. reads the outcome: the token's family and user, why it is refused (if it is), and the
 *    successor it has, whichever request inserted it. A request that lost a race within the
 *    interval finds the one the winner inserted: the token it derived itself.
 *
 * Every decision is a condition of a statement, taken on the state the batches before left:
 * however many requests present one token at once, at most one successor exists (and
 * `parent_hash` is unique besides), and the family is revoked at most once.
 */
export function rotateRefreshToken(db: Database, rotation: Rotation) {
  const { presentedHash, successorHash, idleMs, reuseIntervalMs, reuseEvent } = rotation
  const now = rotation.now.getTime()
  const raceStart = new Date(now - reuseIntervalMs)
  const presented = eq(tokens.hash, presentedHash)

  const insertSuccessor = db.insert(tokens).select((qb) =>
    qb
      .select({
        hash: sql<string>`${successorHash}`.as('hash'),
        familyId: tokens.familyId,
        parentHash: tokens.hash,
        createdAt: sql<number>`${now}`.as('created_at'),
        idleExpiresAt: sql<number>`min(${now + idleMs}, ${families.expiresAt})`.as('idle_expires_at'),
        rotatedAt: sql<null>`null`.as('rotated_at'),
      })
      .from(tokens)
      .innerJoin(families, eq(families.id, tokens.familyId))
      .innerJoin(users, eq(users.id, families.userId))
      .where(and(presented, sql`${refusal(now)} is null`, isNull(tokens.rotatedAt))),
  )

  const markRotated = db
    .update(tokens)
    .set({ rotatedAt: rotation.now })
    .where(
      and(
        presented,
        isNull(tokens.rotatedAt),
        exists(db.select({ hash: successors.hash }).from(successors).where(eq(successors.hash, successorHash))),
      ),
    )

  const replayed = db
    .select({ familyId: tokens.familyId })
    .from(tokens)
    .where(and(presented, lt(tokens.rotatedAt, raceStart)))
  const revokeOnReplay = db
    .update(families)
    .set({ revokedAt: rotation.now })
    .where(and(eq(families.id, replayed), isNull(families.revokedAt)))
    .returning({ id: families.id, userId: families.userId })
  const recordReplay = recordIfChanged(db, reuseEvent, {
    subjectUserId: sql`(select ${families.userId} from ${families} where ${eq(families.id, replayed)})`,
  })

  // In a batch D1 answers rows as objects keyed by column name, and drizzle reads them back in
  // order: two columns of one name would merge and shift the rest. Every name here is distinct.
  const outcome = db
    .select({
      familyId: tokens.familyId,
      user: users,
      refusal: refusal(now).as('refusal'),
      successor: { hash: successors.hash, idleExpiresAt: successors.idleExpiresAt, rotatedAt: successors.rotatedAt },
    })
    .from(tokens)
    .innerJoin(families, eq(families.id, tokens.familyId))
    .innerJoin(users, eq(users.id, families.userId))
    .leftJoin(successors, eq(successors.parentHash, tokens.hash))
    .where(presented)

  return [insertSuccessor, markRotated, revokeOnReplay, recordReplay, outcome] as const
}

/**
 * Revokes the family `familyId` of `userId` (logout): its refresh tokens, and the access tokens
 * issued from it, are refused from then on. Another user's family, or one revoked already, is left as it is.
 *
 * @example
 * await db.batch([revokeFamily(db, { familyId: token.fam, userId: user.id }, now), insertEvents(db, [event])])
 */
export const revokeFamily = (db: Database, { familyId, userId }: { familyId: string; userId: string }, now: Date) =>
  db
    .update(families)
    .set({ revokedAt: now })
    .where(and(eq(families.id, familyId), eq(families.userId, userId), isNull(families.revokedAt)))

/** Whether the family `familyId` is revoked: an SQL condition for the protected-route check's one query. */
export const familyRevoked = (familyId: string) =>
  sql`exists (select 1 from ${families} where ${families.id} = ${familyId} and ${families.revokedAt} is not null)`

/**
 * Families that ended by `cutoff`: expired or revoked. Every access token issued from a family
 * was issued before both, so with `cutoff` an access token's lifetime ago, none of them outlives
 * the row that may refuse it.
 */
const endedBy = (cutoff: Date) => sql`${lte(families.expiresAt, cutoff)} or ${lte(families.revokedAt, cutoff)}`

/** Deletes up to `limit` tokens past their idle limit at `now`, or of a family ended by `cutoff`. */
export const deleteSpentTokens = (db: Database, { now, cutoff }: { now: Date; cutoff: Date }, limit: number) =>
  deleteSome(
    db,
    tokens,
    tokens.hash,
    sql`${lte(tokens.idleExpiresAt, now)} or ${inArray(tokens.familyId, db.select({ id: families.id }).from(families).where(endedBy(cutoff)))}`,
    limit,
  )

/**
 * Deletes up to `limit` families ended by `cutoff` that hold no tokens any more: a cascade would
 * delete rows beyond the limit (and D1 would count them among the changes).
 */
export const deleteEndedFamilies = (db: Database, cutoff: Date, limit: number) =>
  deleteSome(
    db,
    families,
    families.id,
    sql`(${endedBy(cutoff)}) and ${notExists(db.select({ hash: tokens.hash }).from(tokens).where(eq(tokens.familyId, families.id)))}`,
    limit,
  )
