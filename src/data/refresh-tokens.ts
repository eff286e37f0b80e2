import { and, eq, isNull, lte, sql } from 'drizzle-orm'
import { recordIfChanged } from './audit-events'
import { type Database, deleteSome } from './client'
import { type NewAuditEvent, refreshFamilies, users } from './schema'

// Times are milliseconds, and `now` is always passed in.

const families = refreshFamilies

type NewFamily = { id: string; userId: string; tokenVersion: number; now: Date; idleMs: number; absoluteMs: number }

/** Written only while the user's `token_version` is unchanged, so a login racing a password change gets no family. */
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

/** Not revoked or expired, its user enabled and at the same `token_version`. */
const live = (now: number) =>
  sql`${families.revokedAt} is null and ${families.expiresAt} > ${now} and ${families.idleExpiresAt} > ${now} and exists (
    select 1 from ${users} where ${users.id} = ${families.userId} and ${users.disabledAt} is null and ${users.tokenVersion} = ${families.tokenVersion})`

const invalidReason = (now: number) =>
  sql<'revoked' | 'expired' | null>`case
    when ${families.revokedAt} is not null or ${users.disabledAt} is not null or ${users.tokenVersion} != ${families.tokenVersion} then 'revoked'
    when ${families.expiresAt} <= ${now} or ${families.idleExpiresAt} <= ${now} then 'expired'
  end`

type Rotation = {
  familyId: string
  generation: number
  now: Date
  idleMs: number
  reuseIntervalMs: number
  /** Added to `budget_full_at` per rotation. */
  rotationCostMs: number
  budgetMs: number
  /** Written only if this refresh revokes the family. */
  reuseEvent: NewAuditEvent
  /** Written only for the first rate refusal since the last rotation. */
  limitEvent: NewAuditEvent
}

/** Named statements for one batch; every decision is a WHERE condition, so concurrent refreshes rotate once (docs/design.md). */
export function rotateFamily(db: Database, rotation: Rotation) {
  const { familyId, generation, idleMs, reuseIntervalMs, rotationCostMs, budgetMs, reuseEvent, limitEvent } = rotation
  const now = rotation.now.getTime()
  const raceStart = now - reuseIntervalMs
  const family = eq(families.id, familyId)
  const current = eq(families.generation, generation)
  // Two rotation times are kept: a racer's grace spans two rotations, no more.
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

  // D1 returns batch rows keyed by column name: duplicate names would merge and shift the rest.
  const outcome = db
    .select({
      user: users,
      generation: families.generation,
      idleExpiresAt: families.idleExpiresAt,
      rotatedAt: families.rotatedAt,
      budgetFullAt: families.budgetFullAt,
      invalidReason: invalidReason(now).as('invalid_reason'),
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

/** Another user's family, or one already revoked, is left alone. */
export const revokeFamily = (db: Database, { familyId, userId }: { familyId: string; userId: string }, now: Date) =>
  db
    .update(families)
    .set({ revokedAt: now })
    .where(and(eq(families.id, familyId), eq(families.userId, userId), isNull(families.revokedAt)))

export const familyRevoked = (familyId: string) =>
  sql`exists (select 1 from ${families} where ${families.id} = ${familyId} and ${families.revokedAt} is not null)`

/** With `cutoff` one access token lifetime ago, no access token outlives the row that refuses it. */
export const deleteEndedFamilies = (db: Database, cutoff: Date, limit: number) =>
  deleteSome(
    db,
    families,
    families.id,
    sql`${lte(families.idleExpiresAt, cutoff)} or ${lte(families.revokedAt, cutoff)}`,
    limit,
  )
