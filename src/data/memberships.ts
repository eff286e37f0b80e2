import { and, count, eq, gt, ne, or, type SQL, sql } from 'drizzle-orm'
import { keysetPage } from '../lib/keyset-page'
import type { Database } from './client'
import { readWithRetry } from './d1-faults'
import { memberships, type OrgRole, organizations, users } from './schema'

/** Checked inside the UPDATE or DELETE, so two owners demoting each other at once cannot both succeed. */
const keepsAnOwner = or(
  ne(memberships.role, 'owner'),
  sql`exists (select 1 from ${memberships} as other where other.org_id = ${memberships.orgId} and other.role = 'owner' and other.user_id != ${memberships.userId})`,
)

const membershipOf = (orgId: string, userId: string) =>
  and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))

/** In `deleteUser`'s WHERE, so deleting an account never leaves an organization without an owner. */
export const ownsNoOrganizationAlone = sql`not exists (select 1 from ${memberships} where ${memberships.userId} = ${users.id} and ${memberships.role} = 'owner' and not ${keepsAnOwner})`

/** Why a guarded write changed nothing. */
export const findMembership = (db: Database, orgId: string, userId: string) =>
  readWithRetry(() => db.select().from(memberships).where(membershipOf(orgId, userId)).get())

/** Why `deleteUser` refused the account. */
export const findOrganizationsOwnedAlone = (db: Database, userId: string) =>
  readWithRetry(() =>
    db
      .select({ id: organizations.id, slug: organizations.slug })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(memberships.userId, userId), eq(memberships.role, 'owner'), sql`not ${keepsAnOwner}`))
      .all(),
  )

export type OrgMember = Awaited<ReturnType<typeof listMembers>>['page'][number]

export async function listMembers(
  db: Database,
  { orgId, limit, cursor }: { orgId: string; limit: number; cursor?: string },
) {
  const rows = await readWithRetry(() =>
    db
      .select({
        id: users.id,
        username: users.username,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
        acceptedAt: memberships.acceptedAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.orgId, orgId), cursor ? gt(memberships.userId, cursor) : undefined))
      .orderBy(memberships.userId)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

/** No row returned unless both exist; an existing membership fails on the primary key (`orgConflict`). */
export const addMember = (
  db: Database,
  {
    orgId,
    userId,
    role,
    now,
    accepted,
  }: { orgId: string; userId: string; role: OrgRole; now: Date; accepted: boolean },
) =>
  db
    .insert(memberships)
    .select((qb) =>
      qb
        .select({
          orgId: organizations.id,
          userId: users.id,
          role: sql<OrgRole>`${role}`.as('role'),
          createdAt: sql<number>`${now.getTime()}`.as('created_at'),
          updatedAt: sql<number>`${now.getTime()}`.as('updated_at'),
          acceptedAt: sql<number | null>`${accepted ? now.getTime() : null}`.as('accepted_at'),
        })
        .from(organizations)
        .innerJoin(users, eq(users.id, userId))
        .where(eq(organizations.id, orgId)),
    )
    .returning()

/** Spares owners inside the write, in case the target was made an owner after the access check. */
const exceptOwners = (ownersProtected: boolean) => (ownersProtected ? ne(memberships.role, 'owner') : undefined)

/** A role other than owner is refused when it would leave no owner. */
export const setMemberRole = (
  db: Database,
  {
    orgId,
    userId,
    role,
    now,
    ownersProtected = false,
  }: { orgId: string; userId: string; role: OrgRole; now: Date; ownersProtected?: boolean },
) =>
  db
    .update(memberships)
    .set({ role, updatedAt: now })
    .where(and(membershipOf(orgId, userId), role === 'owner' ? undefined : keepsAnOwner, exceptOwners(ownersProtected)))
    .returning()

/** Refused for the last owner, or with `ownersProtected` for any owner. */
export const removeMember = (db: Database, orgId: string, userId: string, { ownersProtected = false } = {}) =>
  db
    .delete(memberships)
    .where(and(membershipOf(orgId, userId), keepsAnOwner, exceptOwners(ownersProtected)))
    .returning({ userId: memberships.userId })

const organizationsOf = (db: Database, userId: string) =>
  db.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId))

/** An SQL condition for the write that adds a membership. */
export const belongsToFewerThan = (db: Database, userId: string, max: number): SQL =>
  sql`(${organizationsOf(db, userId)}) < ${max}`

/** Why an acceptance was refused. */
export async function findMemberships(db: Database, { userId, orgId }: { userId: string; orgId: string }) {
  const row = await readWithRetry(() =>
    db
      .select({ count: count(), inOrg: sql<number>`coalesce(max(${memberships.orgId} = ${orgId}), 0)` })
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .get(),
  )
  return { count: row?.count ?? 0, inOrg: Boolean(row?.inOrg) }
}
