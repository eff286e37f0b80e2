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

/** How many invitations of `orgId` are pending at `now`. */
const pendingIn = (db: Database, orgId: string, now: Date) =>
  db
    .select({ n: count() })
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), pendingAt(now)))

/** The `invitation_created` events of `inviterId` in the hour before `now`: their hourly limit's window. */
const sentInTheHourBefore = (inviterId: string, now: Date) =>
  and(
    eq(auditEvents.type, 'invitation_created'),
    eq(auditEvents.actorUserId, inviterId),
    gte(auditEvents.id, uuidv7Floor(now.getTime() - HOUR_MS)),
  )

/** The settings a new invitation is checked against, in its own statement. */
export type InvitationLimits = { maxPending: number; maxPerHour: number }

/**
 * A new invitation: two statements, named for `batchByName`, with its `invitation_created` event
 * after them (`recordIfChanged`). The first deletes an expired invitation to the same username or email, the
 * second inserts `row` only while the organisation and the inviter's account exist, the organisation
 * has fewer than `maxPending` pending and its inviter sent fewer than `maxPerHour` in the last hour
 * (no row returned otherwise; see `invitationRefusal`). It binds the invitation to the account `invitee_key` names now, if any,
 * and returns only the id: whether one matched is never answered. A pending invitation to the
 * same key fails on the unique index (`invitationConflict`).
 *
 * @example
 * const { invitation } = await batchByName(db, { ...createInvitation(db, row, limits), event: recordIfChanged(db, event) })
 */
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

/**
 * Why `createInvitation` inserted nothing, as one read: whether the organisation and the
 * inviter's account still exist, and how many invitations `inviterId` sent in the last hour with
 * the time (ms) of the oldest: an hour after it, the next may go. Otherwise the organisation had
 * too many pending.
 */
export async function invitationRefusal(
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

/** One page of the invitations `orgId` has pending at `now`, in id order (UUIDv7: oldest first), with who sent each. */
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

/** An invitation as the invitee sees it: the organisation it is to, the role, who sent it and until when. */
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

/** One page of the invitations pending for `userId` at `now`, in id order (oldest first). */
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

/** The invitation `id` if it is pending for `userId` at `now`, as they see it; undefined for anyone else's. */
export const findInvitationFor = (db: Database, { id, userId, now }: { id: string; userId: string; now: Date }) =>
  readWithRetry(() => receivedBy(db, userId, now, eq(invitations.id, id)).get())

export type ReceivedInvitation = NonNullable<Awaited<ReturnType<typeof findInvitationFor>>>

const membershipExists = (orgId: string, userId: string) =>
  sql`exists (select 1 from ${memberships} where ${memberships.orgId} = ${orgId} and ${memberships.userId} = ${userId})`

/**
 * Makes `userId` a member of the organisation of the invitation `id`, with its role, only while
 * it is pending for them, they are not a member already and they belong to fewer than `maxOrgs`
 * organisations (no row returned otherwise). For one batch with `invitation_accepted` after it
 * (`recordIfChanged`) and then `consumeInvitations`.
 *
 * @example
 * db.batch([joinByInvitation(db, args), recordIfChanged(db, event), consumeInvitations(db, orgId, userId)])
 */
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

/**
 * Deletes every invitation of `userId` to `orgId` once they are a member, however they became
 * one: an invitation is for joining, and a member has joined.
 */
export const consumeInvitations = (db: Database, orgId: string, userId: string) =>
  db
    .delete(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.inviteeUserId, userId), membershipExists(orgId, userId)))

/**
 * Deletes the invitation `id` if it is pending at `now` and `holder` holds it: the organisation
 * revoking it, or the account it is for declining it. Returns its id if it went.
 *
 * @example
 * db.batch([deletePendingInvitation(db, id, { userId }, now), recordIfChanged(db, event)])
 */
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

/**
 * Gives a new account the invitations that were waiting for its username or email: for the batch
 * that creates it. An account that only changes its email later binds none.
 */
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

/** Deletes up to `limit` invitations expired at `now`. */
export const deleteExpiredInvitations = (db: Database, now: Date, limit: number) =>
  deleteSome(db, invitations, invitations.id, lte(invitations.expiresAt, now), limit)

/** Whether a failed write collided with a pending invitation to the same username or email. D1 names the columns. */
export const invitationConflict = (err: unknown): boolean =>
  String((err as { cause?: unknown })?.cause ?? err).includes(
    `UNIQUE constraint failed: invitations.${invitations.orgId.name}, invitations.${invitations.inviteeKey.name}`,
  )
