import { and, count, eq, gt, ne, or, type SQL, sql } from 'drizzle-orm'
import { keysetPage } from '../lib/keyset-page'
import type { Database } from './client'
import { readWithRetry } from './d1-faults'
import { memberships, type OrgRole, organizations, users } from './schema'

/**
 * Holds for a membership whose change cannot leave its organisation without an owner: it is
 * not an owner's, or another owner exists. As part of the UPDATE or DELETE itself it is checked
 * and acted on atomically, so two owners demoting each other at once cannot both succeed.
 */
const keepsAnOwner = or(
  ne(memberships.role, 'owner'),
  sql`exists (select 1 from ${memberships} as other where other.org_id = ${memberships.orgId} and other.role = 'owner' and other.user_id != ${memberships.userId})`,
)

const membershipOf = (orgId: string, userId: string) =>
  and(eq(memberships.orgId, orgId), eq(memberships.userId, userId))

/**
 * Holds for an account that is the only owner of no organisation: `deleteUser` adds it to its
 * WHERE, so deleting an account never leaves an organisation without an owner.
 */
export const ownsNoOrganizationAlone = sql`not exists (select 1 from ${memberships} where ${memberships.userId} = ${users.id} and ${memberships.role} = 'owner' and not ${keepsAnOwner})`

/** The membership of `userId` in `orgId`, if any: why a guarded write changed nothing. */
export const findMembership = (db: Database, orgId: string, userId: string) =>
  readWithRetry(() => db.select().from(memberships).where(membershipOf(orgId, userId)).get())

/**
 * The organisations `userId` is the only owner of: why `deleteUser` refused the account.
 *
 * @example
 * const blocking = await organizationsOwnedAlone(db, id) // [{ id, slug }] → 409 last_owner
 */
export const organizationsOwnedAlone = (db: Database, userId: string) =>
  readWithRetry(() =>
    db
      .select({ id: organizations.id, slug: organizations.slug })
      .from(memberships)
      .innerJoin(organizations, eq(organizations.id, memberships.orgId))
      .where(and(eq(memberships.userId, userId), eq(memberships.role, 'owner'), sql`not ${keepsAnOwner}`))
      .all(),
  )

/** A member of an organisation: their account as its members see it, and their role there. */
export type OrgMember = Awaited<ReturnType<typeof listMembers>>['page'][number]

/** One page of the members of `orgId` in user id order (ids are UUIDv7: account age), after `cursor` if given. */
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

/**
 * Makes `userId` a member of `orgId` as `role`, only if both still exist when the statement
 * runs (no row returned otherwise); an existing membership fails on the primary key, which
 * `orgConflict` names. `accepted` says the user chose this (they create the organisation);
 * an operator's addition did not.
 *
 * @example
 * db.batch([addMember(db, { orgId, userId, role: 'member', now, accepted: false }), recordIfChanged(db, event)])
 */
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

/**
 * Holds for the membership a write may touch: with `sparingOwners` (a caller who is not an
 * owner), not an owner's, checked as part of the write, so a member made owner between the
 * check of the caller's rights and the write is left alone.
 */
const touchable = (sparingOwners: boolean) => (sparingOwners ? ne(memberships.role, 'owner') : undefined)

/**
 * Gives `userId` the role `role` in `orgId`; a role other than owner is refused (no row
 * returned) when it would leave the organisation without an owner, and with `sparingOwners`
 * an owner's membership is not changed.
 *
 * @example
 * const [[changed]] = await db.batch([setMemberRole(db, { orgId, userId, role: 'admin', now }), recordIfChanged(db, event)])
 */
export const setMemberRole = (
  db: Database,
  {
    orgId,
    userId,
    role,
    now,
    sparingOwners = false,
  }: { orgId: string; userId: string; role: OrgRole; now: Date; sparingOwners?: boolean },
) =>
  db
    .update(memberships)
    .set({ role, updatedAt: now })
    .where(and(membershipOf(orgId, userId), role === 'owner' ? undefined : keepsAnOwner, touchable(sparingOwners)))
    .returning()

/**
 * Ends the membership of `userId` in `orgId`, refused (no row returned) when it is the last
 * owner's, or with `sparingOwners` any owner's.
 *
 * @example
 * db.batch([removeMember(db, orgId, userId), recordIfChanged(db, event)])
 */
export const removeMember = (db: Database, orgId: string, userId: string, { sparingOwners = false } = {}) =>
  db
    .delete(memberships)
    .where(and(membershipOf(orgId, userId), keepsAnOwner, touchable(sparingOwners)))
    .returning({ userId: memberships.userId })

/** How many organisations `userId` belongs to. */
const organizationsOf = (db: Database, userId: string) =>
  db.select({ n: count() }).from(memberships).where(eq(memberships.userId, userId))

/** Holds while `userId` belongs to fewer than `max` organisations: an SQL condition for the write that adds one. */
export const belongsToFewerThan = (db: Database, userId: string, max: number): SQL =>
  sql`(${organizationsOf(db, userId)}) < ${max}`

/** The organisations `userId` belongs to, and whether they are a member of `orgId`: why an acceptance was refused. */
export async function membershipsOf(db: Database, { userId, orgId }: { userId: string; orgId: string }) {
  const row = await readWithRetry(() =>
    db
      .select({ count: count(), inOrg: sql<number>`coalesce(max(${memberships.orgId} = ${orgId}), 0)` })
      .from(memberships)
      .where(eq(memberships.userId, userId))
      .get(),
  )
  return { count: row?.count ?? 0, inOrg: Boolean(row?.inOrg) }
}
