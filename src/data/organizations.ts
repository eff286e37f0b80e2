import { and, eq, getTableColumns, gt, sql } from 'drizzle-orm'
import { alias, type SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { keysetPage } from '../lib/keyset-page'
import { normalizeIdentifier } from '../lib/normalize'
import type { Database } from './client'
import { readWithRetry } from './d1-faults'
import { addMember, belongsToFewerThan, type OrgMember } from './memberships'
import { memberships, type NewOrganization, organizations, users } from './schema'
import { accountColumns, type TokenRef, tokenRevoked } from './users'

/** Written only if the owner exists and, given `maxOrgs`, belongs to fewer organizations; a taken slug fails the batch. */
export function createOrganization(
  db: Database,
  org: NewOrganization,
  ownerId: string,
  { maxOrgs, accepted = true }: { maxOrgs?: number; accepted?: boolean } = {},
) {
  const insertOrg = db
    .insert(organizations)
    .select((qb) =>
      qb
        .select({
          id: sql<string>`${org.id}`.as('id'),
          slug: sql<string>`${org.slug}`.as('slug'),
          name: sql<string>`${org.name}`.as('name'),
          createdAt: sql<number>`${org.createdAt.getTime()}`.as('created_at'),
          updatedAt: sql<number>`${org.updatedAt.getTime()}`.as('updated_at'),
        })
        .from(users)
        .where(
          and(eq(users.id, ownerId), maxOrgs === undefined ? undefined : belongsToFewerThan(db, ownerId, maxOrgs)),
        ),
    )
    .returning()
  const owner = addMember(db, { orgId: org.id, userId: ownerId, role: 'owner', now: org.createdAt, accepted })
  return { organization: insertOrg, owner }
}

export const findOrganization = (db: Database, id: string) =>
  readWithRetry(() => db.select().from(organizations).where(eq(organizations.id, id)).get())

export const selectOrganizationBySlug = (db: Database, slug: string, userId: string) =>
  db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: memberships.role })
    .from(organizations)
    .leftJoin(memberships, and(eq(memberships.orgId, organizations.id), eq(memberships.userId, userId)))
    .where(eq(organizations.slug, normalizeIdentifier(slug)))

/** With `all`, every organization (for a global admin), `role` null where not a member. */
export async function listOrganizations(
  db: Database,
  { userId, all = false, limit, cursor }: { userId: string; all?: boolean; limit: number; cursor?: string },
) {
  const membership = and(eq(memberships.orgId, organizations.id), eq(memberships.userId, userId))
  const query = db.select({ ...getTableColumns(organizations), role: memberships.role }).from(organizations)
  // Same id, named on the side SQLite reads in order, so a user's list seeks their memberships unsorted.
  const key = all ? organizations.id : memberships.orgId
  const rows = await readWithRetry(() =>
    (all ? query.leftJoin(memberships, membership) : query.innerJoin(memberships, membership))
      .where(cursor ? gt(key, cursor) : undefined)
      .orderBy(key)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

/** No row returned if it is gone; a taken slug fails (`orgConflict`). */
export const updateOrganization = (db: Database, id: string, set: SQLiteUpdateSetSource<typeof organizations>) =>
  db.update(organizations).set(set).where(eq(organizations.id, id)).returning()

/** Memberships go with it by cascade, in the same statement. */
export const deleteOrganization = (db: Database, id: string) =>
  db.delete(organizations).where(eq(organizations.id, id)).returning({ id: organizations.id })

/** `requireAuth`'s check plus the organization and memberships in one query, so the role that decides is D1's current one. */
export async function findAccountInOrg(
  db: Database,
  { orgId, memberId, ...token }: TokenRef & { orgId: string; memberId?: string },
) {
  const member = alias(memberships, 'member')
  const memberUser = alias(users, 'member_user')
  const row = await readWithRetry(() =>
    db
      .select({
        user: accountColumns,
        revoked: sql<number>`${tokenRevoked(token)}`,
        org: organizations,
        role: memberships.role,
        member,
        memberUser: { id: memberUser.id, username: memberUser.username, email: memberUser.email },
      })
      .from(users)
      .leftJoin(organizations, eq(organizations.id, orgId))
      .leftJoin(memberships, and(eq(memberships.orgId, organizations.id), eq(memberships.userId, users.id)))
      .leftJoin(member, and(eq(member.orgId, organizations.id), eq(member.userId, memberId ?? sql`null`)))
      .leftJoin(memberUser, eq(memberUser.id, member.userId))
      .where(eq(users.id, token.userId))
      .get(),
  )
  if (!row) return undefined
  const { member: membership, memberUser: account, ...found } = row
  const named: OrgMember | null =
    membership && account
      ? { ...account, role: membership.role, joinedAt: membership.createdAt, acceptedAt: membership.acceptedAt }
      : null
  return { ...found, member: named }
}

/** D1 names the columns in its message. */
export function orgConflict(err: unknown): 'slug' | 'membership' | undefined {
  const message = String((err as { cause?: unknown })?.cause ?? err)
  if (message.includes(`UNIQUE constraint failed: organizations.${organizations.slug.name}`)) return 'slug'
  if (message.includes(`UNIQUE constraint failed: memberships.${memberships.orgId.name}, memberships.`))
    return 'membership'
  return undefined
}
