import { and, eq, isNull, lte, sql } from 'drizzle-orm'
import { recordIfChanged } from './audit-events'
import { type Database, deleteSome } from './client'
import { type NewAuditEvent, refreshFamilies, users } from './schema'

// A family is one row however many rotations: no token is stored, each names its family and
// generation (see `auth/refresh-token-codec.ts`). Times are milliseconds, and `now` is always passed in.

const families = refreshFamilies

/** A login's family; `tokenVersion` is the one its access token carries. */
type NewFamily = { id: string; userId: string; tokenVersion: number; now: Date; idleMs: number; absoluteMs: number }

/**
 * Starts a family at generation 0: a statement for the batch of a login or a password change.
 * It is written only while the user's `token_version` is still `tokenVersion`, so a family
 * started as it moves on (a password change racing the login) is not written, and its token is
 * refused like the access token issued alongside.
 *
 * @example
 * await db.batch([insertFamily(db, { id, userId, tokenVersion, now, idleMs, absoluteMs })])
 */
export function insertFamily(db: Database, family: NewFamily) {
  const now = family.now.getTime()
  return db.insert(families).select((qb) =>
    qb
      .select({
        id: sql<string>`${family.id}`.as('id'),
        userId: users.id,
        tokenVersion: users.tokenVersion,
        createdAt: sql<number>`${now}`.as('created_at'),
        expiresAt: sql<number>`${now + family.absoluteMs}`.as('expires_at'),
        revokedAt: sql<null>`null`.as('revoked_at'),
        generation: sql<number>`0`.as('generation'),
        idleExpiresAt: sql<number>`${now + Math.min(family.idleMs, family.absoluteMs)}`.as('idle_expires_at'),
        rotatedAt: sql<null>`null`.as('rotated_at'),
        previousRotatedAt: sql<null>`null`.as('previous_rotated_at'),
        budgetFullAt: sql<number>`${now}`.as('budget_full_at'),
        limitedAt: sql<null>`null`.as('limited_at'),
      })
      .from(users)
      .where(and(eq(users.id, family.userId), eq(users.tokenVersion, family.tokenVersion))),
  )
}

/** Whether the family may still be refreshed at `now`: not revoked nor expired, its user enabled and at its `token_version`. */
const live = (now: number) =>
  sql`${families.revokedAt} is null and ${families.expiresAt} > ${now} and ${families.idleExpiresAt} > ${now} and exists (
    select 1 from ${users} where ${users.id} = ${families.userId} and ${users.disabledAt} is null and ${users.tokenVersion} = ${families.tokenVersion})`

/** Why the family (joined with its user) may not be refreshed at `now`, or null when it may. */
const refusal = (now: number) =>
  sql<'revoked' | 'expired' | null>`case
    when ${families.revokedAt} is not null or ${users.disabledAt} is not null or ${users.tokenVersion} != ${families.tokenVersion} then 'revoked'
    when ${families.expiresAt} <= ${now} or ${families.idleExpiresAt} <= ${now} then 'expired'
  end`

/** One refresh: the genuine token presented, by its claims, and the settings that judge it. */
type Rotation = {
  familyId: string
  generation: number
  now: Date
  idleMs: number
  reuseIntervalMs: number
  /** What one rotation adds to `budget_full_at`; a family holds `budgetMs` of them. */
  rotationCostMs: number
  budgetMs: number
  /** Written, with the family's user as its subject, only if this refresh revokes the family. */
  reuseEvent: NewAuditEvent
  /** Written likewise only for the first refusal by rate since the family last rotated. */
  limitEvent: NewAuditEvent
}

/**
 * A refresh, as statements for one batch (D1 runs it as one transaction, one batch at a time per
 * database), each named for `batchByName`:
 *
 * - `rotate` moves the family to the next generation if the token presented is its current one,
 *   the family is live, and its budget has room; the previous rotation time moves down one;
 * - `revoke` revokes the family if the token presented is an older one, and a replay: the one
 *   just before the current or the one before that, rotated before the reuse interval; any
 *   older one, whenever it comes. Only the first such request changes the row, so only it returns one;
 * - `reuse` records `reuseEvent` if `revoke` revoked the family;
 * - `limit` marks the family refused by rate if the current token was presented and not rotated
 *   while the family is live, unless it was marked since its last rotation; `limited` records it;
 * - `outcome` reads the family and its user after all this, and why it is refused (if it is).
 *
 * Every decision is a condition of a statement, taken on the state the batches before left:
 * however many requests present one token at once, the family moves on one generation, and is
 * revoked at most once.
 */
export function rotateFamily(db: Database, rotation: Rotation) {
  const { familyId, generation, idleMs, reuseIntervalMs, rotationCostMs, budgetMs, reuseEvent, limitEvent } = rotation
  const now = rotation.now.getTime()
  const raceStart = now - reuseIntervalMs
  const family = eq(families.id, familyId)
  const current = eq(families.generation, generation)
  // The last two rotation times are kept: a racer's grace spans two rotations, no more.
  const replayed = sql`(
    (${families.generation} = ${generation + 1} and ${families.rotatedAt} < ${raceStart})
    or (${families.generation} = ${generation + 2} and ${families.previousRotatedAt} < ${raceStart})
    or ${families.generation} > ${generation + 2})`
  const userOfFamily = sql`(select ${families.userId} from ${families} where ${family})`

  const rotate = db
    .update(families)
    .set({
      generation: sql`${families.generation} + 1`,
      idleExpiresAt: sql`min(${now + idleMs}, ${families.expiresAt})`,
      rotatedAt: rotation.now,
      previousRotatedAt: sql`${families.rotatedAt}`,
      budgetFullAt: sql`max(${families.budgetFullAt}, ${now}) + ${rotationCostMs}`,
      limitedAt: null,
    })
    .where(
      and(
        family,
        current,
        live(now),
        sql`max(${families.budgetFullAt}, ${now}) + ${rotationCostMs} <= ${now + budgetMs}`,
      ),
    )
  const revoke = db
    .update(families)
    .set({ revokedAt: rotation.now })
    .where(and(family, isNull(families.revokedAt), replayed))
    .returning({ id: families.id, userId: families.userId })
  const limit = db
    .update(families)
    .set({ limitedAt: rotation.now })
    .where(and(family, current, live(now), isNull(families.limitedAt)))
    .returning({ id: families.id })

  // In a batch D1 answers rows as objects keyed by column name, and drizzle reads them back in
  // order: two columns of one name would merge and shift the rest. Every name here is distinct.
  const outcome = db
    .select({
      user: users,
      generation: families.generation,
      idleExpiresAt: families.idleExpiresAt,
      rotatedAt: families.rotatedAt,
      budgetFullAt: families.budgetFullAt,
      refusal: refusal(now).as('refusal'),
    })
    .from(families)
    .innerJoin(users, eq(users.id, families.userId))
    .where(family)

  return {
    rotate,
    revoke,
    reuse: recordIfChanged(db, reuseEvent, { subjectUserId: userOfFamily }),
    limit,
    limited: recordIfChanged(db, limitEvent, { subjectUserId: userOfFamily }),
    outcome,
  }
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
 * Deletes up to `limit` families ended by `cutoff`: idle (which expiry implies) or revoked. Every
 * access token issued from a family was issued before both, so with `cutoff` an access token's
 * lifetime ago, none of them outlives the row that may refuse it.
 */
export const deleteEndedFamilies = (db: Database, cutoff: Date, limit: number) =>
  deleteSome(
    db,
    families,
    families.id,
    sql`${lte(families.idleExpiresAt, cutoff)} or ${lte(families.revokedAt, cutoff)}`,
    limit,
  )
