import { and, count, eq, gt, gte, isNull, lte, or, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { keysetPage } from '../lib/keyset-page'
import { uuidv7Floor } from '../lib/uuid-v7'
import { type Database, deleteSome } from './client'
import { readWithRetry } from './d1-faults'
import { belongsToFewerThan } from './memberships'
import {
  auditEvents,
  invitations,
  memberships,
  type NewInvitation,
  type OrgRole,
  organizations,
  type User,
  users,
} from './schema'

const HOUR_MS = 3_600_000

const pendingAt = (now: Date) => gt(invitations.expiresAt, now)

const pendingIn = (db: Database, orgId: string, now: Date) =>
  db
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), pendingAt(now)))

/** The inviter's hourly limit window. */
const sentInTheHourBefore = (inviterId: string, now: Date) =>
  and(
    eq(auditEvents.type, 'invitation_created'),
    eq(auditEvents.actorUserId, inviterId),
    gte(auditEvents.id, uuidv7Floor(now.getTime() - HOUR_MS)),
  )

export type InvitationLimits = { maxPending: number; maxPerHour: number }

/** Within the pending and hourly limits; binds the invitee's account but never returns whether one matched (docs/design.md). */
export function createInvitation(
  db: Database,
  row: Omit<NewInvitation, 'inviteeUserId'> & { invitedBy: string },
  { maxPending, maxPerHour }: InvitationLimits,
) {
  const now = row.createdAt
  const clearExpired = db
    .delete(invitations)
    .where(
      and(
        eq(invitations.orgId, row.orgId),
        eq(invitations.inviteeKey, row.inviteeKey),
        lte(invitations.expiresAt, now),
      ),
    )
  const account = db
    .select({ id: users.id })
    .from(users)
    .where(or(eq(users.usernameKey, row.inviteeKey), eq(users.email, row.inviteeKey)))
  const sent = db.select({ n: count() }).from(auditEvents).where(sentInTheHourBefore(row.invitedBy, now))
  const insert = db
    .insert(invitations)
    .select((qb) =>
      qb
        .select({
          id: sql<string>`${row.id}`.as('id'),
          orgId: organizations.id,
          invitee: sql<string>`${row.invitee}`.as('invitee'),
          inviteeKey: sql<string>`${row.inviteeKey}`.as('invitee_key'),
          inviteeUserId: sql<string | null>`(${account})`.as('invitee_user_id'),
          role: sql<OrgRole>`${row.role}`.as('role'),
          invitedBy: users.id,
          createdAt: sql<number>`${now.getTime()}`.as('created_at'),
          expiresAt: sql<number>`${row.expiresAt.getTime()}`.as('expires_at'),
        })
        .from(organizations)
        .innerJoin(users, eq(users.id, row.invitedBy))
        .where(
          and(
            eq(organizations.id, row.orgId),
            sql`(${pendingIn(db, row.orgId, now)}) < ${maxPending}`,
            sql`(${sent}) < ${maxPerHour}`,
          ),
        ),
    )
    .returning({ id: invitations.id })
  return { clearExpired, invitation: insert }
}

/** Why `createInvitation` inserted nothing; an hour after the oldest sent, the next may go. */
export async function findInvitationState(
  db: Database,
  { orgId, inviterId, now }: { orgId: string; inviterId: string; now: Date },
) {
  // Aggregates without GROUP BY: always one row.
  const row = await readWithRetry(() =>
    db
      .select({
        orgExists: sql<number>`exists (select 1 from ${organizations} where ${organizations.id} = ${orgId})`,
        inviterExists: sql<number>`exists (select 1 from ${users} where ${users.id} = ${inviterId})`,
        sent: count(),
        oldestSent: sql<number | null>`min(${auditEvents.createdAt})`,
      })
      .from(auditEvents)
      .where(sentInTheHourBefore(inviterId, now))
      .get(),
  )
  return {
    orgExists: Boolean(row?.orgExists),
    inviterExists: Boolean(row?.inviterExists),
    sent: row?.sent ?? 0,
    oldestSent: row?.oldestSent ?? null,
  }
}

const inviter = alias(users, 'inviter')
const invitedBy = { userId: inviter.id, username: inviter.username }

export async function listOrgInvitations(
  db: Database,
  { orgId, now, limit, cursor }: { orgId: string; now: Date; limit: number; cursor?: string },
) {
  const rows = await readWithRetry(() =>
    db
      .select({
        id: invitations.id,
        invitee: invitations.invitee,
        role: invitations.role,
        invitedBy,
        createdAt: invitations.createdAt,
        expiresAt: invitations.expiresAt,
      })
      .from(invitations)
      .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
      .where(and(eq(invitations.orgId, orgId), pendingAt(now), cursor ? gt(invitations.id, cursor) : undefined))
      .orderBy(invitations.id)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

const receivedInvitation = {
  id: invitations.id,
  org: organizations,
  role: invitations.role,
  invitedBy,
  createdAt: invitations.createdAt,
  expiresAt: invitations.expiresAt,
}

const receivedBy = (db: Database, userId: string, now: Date, where?: SQL) =>
  db
    .select(receivedInvitation)
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
    .where(and(eq(invitations.inviteeUserId, userId), pendingAt(now), where))

export async function listInvitationsFor(
  db: Database,
  { userId, now, limit, cursor }: { userId: string; now: Date; limit: number; cursor?: string },
) {
  const rows = await readWithRetry(() =>
    receivedBy(db, userId, now, cursor ? gt(invitations.id, cursor) : undefined)
      .orderBy(invitations.id)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

/** Undefined for anyone else's, as for a missing one. */
export const findInvitationFor = (db: Database, { id, userId, now }: { id: string; userId: string; now: Date }) =>
  readWithRetry(() => receivedBy(db, userId, now, eq(invitations.id, id)).get())

export type ReceivedInvitation = NonNullable<Awaited<ReturnType<typeof findInvitationFor>>>

const membershipExists = (orgId: string, userId: string) =>
  sql`exists (select 1 from ${memberships} where ${memberships.orgId} = ${orgId} and ${memberships.userId} = ${userId})`

/** Only while pending for them, not yet a member and under `maxOrgs` (no row returned otherwise). */
export const joinByInvitation = (
  db: Database,
  { id, orgId, userId, now, maxOrgs }: { id: string; orgId: string; userId: string; now: Date; maxOrgs: number },
) =>
  db
    .insert(memberships)
    .select((qb) =>
      qb
        .select({
          orgId: invitations.orgId,
          userId: sql<string>`${invitations.inviteeUserId}`.as('user_id'),
          role: invitations.role,
          createdAt: sql<number>`${now.getTime()}`.as('created_at'),
          updatedAt: sql<number>`${now.getTime()}`.as('updated_at'),
          acceptedAt: sql<number>`${now.getTime()}`.as('accepted_at'),
        })
        .from(invitations)
        .where(
          and(
            eq(invitations.id, id),
            eq(invitations.orgId, orgId),
            eq(invitations.inviteeUserId, userId),
            pendingAt(now),
            sql`not ${membershipExists(orgId, userId)}`,
            belongsToFewerThan(db, userId, maxOrgs),
          ),
        ),
    )
    .returning({ role: memberships.role })

/** However they joined: an invitation is for joining, and a member has joined. */
export const consumeInvitations = (db: Database, orgId: string, userId: string) =>
  db
    .delete(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.inviteeUserId, userId), membershipExists(orgId, userId)))

/** Held by `holder`: the organization revoking it, or the invitee declining it. */
export const deletePendingInvitation = (
  db: Database,
  id: string,
  holder: { orgId: string } | { userId: string },
  now: Date,
) =>
  db
    .delete(invitations)
    .where(
      and(
        eq(invitations.id, id),
        'orgId' in holder ? eq(invitations.orgId, holder.orgId) : eq(invitations.inviteeUserId, holder.userId),
        pendingAt(now),
      ),
    )
    .returning({ id: invitations.id })

/** For the batch creating an account; a later email change binds none. */
export const bindInvitations = (db: Database, user: Pick<User, 'id' | 'usernameKey' | 'email'>) =>
  db
    .update(invitations)
    .set({ inviteeUserId: user.id })
    .where(
      and(
        isNull(invitations.inviteeUserId),
        or(eq(invitations.inviteeKey, user.usernameKey), eq(invitations.inviteeKey, user.email)),
      ),
    )

export const deleteExpiredInvitations = (db: Database, now: Date, limit: number) =>
  deleteSome(db, invitations, invitations.id, lte(invitations.expiresAt, now), limit)

export const invitationConflict = (err: unknown): boolean =>
  String((err as { cause?: unknown })?.cause ?? err).includes(
    `UNIQUE constraint failed: invitations.${invitations.orgId.name}, invitations.${invitations.inviteeKey.name}`,
  )
