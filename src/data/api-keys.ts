import { and, count, eq, getTableColumns, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { keysetPage } from '../lib/keyset-page'
import { type Database, deleteSome } from './client'
import { readWithRetry } from './d1-faults'
import type { OrgMember } from './memberships'
import { type ApiKeyRole, apiKeys, loginThrottles, memberships, type NewApiKey, organizations, users } from './schema'

const MINUTE_MS = 60_000

const liveAt = (now: Date) => and(isNull(apiKeys.revokedAt), gt(apiKeys.expiresAt, now))

const liveIn = (db: Database, orgId: string, now: Date) =>
  db
    .select({ n: count() })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, orgId), liveAt(now)))

/**
 * Written only while the organization exists with fewer than `maxLive` live keys, and the creator (if any) may still
 * create it: the guard's role may be a cached or earlier read, and a key that survives its creator must not outlive that.
 */
export function insertApiKey(db: Database, row: NewApiKey & { createdAt: Date }, maxLive: number) {
  const creatorMayCreate =
    row.createdBy === null || row.createdBy === undefined
      ? undefined
      : sql`exists (select 1 from ${users} left join ${memberships} on ${memberships.orgId} = ${row.orgId} and ${memberships.userId} = ${users.id} where ${users.id} = ${row.createdBy} and ${users.disabledAt} is null and (${users.role} = 'admin' or ${memberships.role} in ${row.survivesCreator ? sql`('owner')` : sql`('owner', 'admin')`}))`
  return db
    .insert(apiKeys)
    .select((qb) =>
      qb
        .select({
          id: sql<string>`${row.id}`.as('id'),
          orgId: organizations.id,
          publicId: sql<string>`${row.publicId}`.as('public_id'),
          secretHash: sql<string>`${row.secretHash}`.as('secret_hash'),
          name: sql<string>`${row.name}`.as('name'),
          role: sql<ApiKeyRole>`${row.role}`.as('role'),
          createdBy: sql<string | null>`${row.createdBy ?? null}`.as('created_by'),
          survivesCreator: sql<number>`${row.survivesCreator ? 1 : 0}`.as('survives_creator'),
          createdAt: sql<number>`${row.createdAt.getTime()}`.as('created_at'),
          expiresAt: sql<number>`${row.expiresAt.getTime()}`.as('expires_at'),
          revokedAt: sql<null>`null`.as('revoked_at'),
          lastUsedAt: sql<null>`null`.as('last_used_at'),
          refusedAt: sql<null>`null`.as('refused_at'),
        })
        .from(organizations)
        .where(
          and(
            eq(organizations.id, row.orgId),
            sql`(${liveIn(db, row.orgId, row.createdAt)}) < ${maxLive}`,
            creatorMayCreate,
          ),
        ),
    )
    .returning()
}

/** Revoked and expired keys beyond the `keep` that ended last go, so an organization holds at most `maxLive + keep` rows. */
export const pruneEndedApiKeys = (db: Database, orgId: string, now: Date, keep: number) => {
  const ended = and(eq(apiKeys.orgId, orgId), or(isNotNull(apiKeys.revokedAt), lte(apiKeys.expiresAt, now)))
  const endedAt = sql`coalesce(min(${apiKeys.revokedAt}, ${apiKeys.expiresAt}), ${apiKeys.expiresAt})`
  // SQLite needs a LIMIT for an OFFSET; -1 is none.
  return db
    .delete(apiKeys)
    .where(
      sql`${apiKeys.id} in (select ${apiKeys.id} from ${apiKeys} where ${ended} order by ${endedAt} desc, ${apiKeys.id} desc limit -1 offset ${keep})`,
    )
}

/** Why an insert was refused. */
export const countLiveApiKeys = async (db: Database, orgId: string, now: Date) =>
  (await readWithRetry(() => liveIn(db, orgId, now).get()))?.n ?? 0

const creator = alias(users, 'creator')

export type ApiKeyListing = Awaited<ReturnType<typeof listApiKeys>>['page'][number]

export async function listApiKeys(
  db: Database,
  { orgId, limit, cursor }: { orgId: string; limit: number; cursor?: string },
) {
  const { secretHash: _secretHash, refusedAt: _refusedAt, ...shown } = getTableColumns(apiKeys)
  const rows = await readWithRetry(() =>
    db
      .select({ ...shown, creator: { id: creator.id, username: creator.username } })
      .from(apiKeys)
      .leftJoin(creator, eq(creator.id, apiKeys.createdBy))
      .where(and(eq(apiKeys.orgId, orgId), cursor ? gt(apiKeys.id, cursor) : undefined))
      .orderBy(apiKeys.id)
      .limit(limit + 1)
      .all(),
  )
  return keysetPage(rows, limit)
}

/** No row returned for a key of another organization, or one revoked already. */
export const revokeApiKey = (db: Database, { orgId, id, now }: { orgId: string; id: string; now: Date }) =>
  db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id })

/** Still a member with a role that creates keys (or a global admin), account enabled. */
const creatorMembership = alias(memberships, 'creator_membership')
const creatorEntitled = sql<number>`coalesce(${creator.disabledAt} is null and (${creator.role} = 'admin' or ${creatorMembership.role} in ('owner', 'admin')), 0)`

const member = alias(memberships, 'member')
const memberUser = alias(users, 'member_user')
const throttle = alias(loginThrottles, 'throttle')

/**
 * The guard's one query for a key: the key by its public id, its organization if it is `orgId`, whether its
 * creator may still create it, the member named in the path, and the client's failure counter.
 */
export async function findApiKeyInOrg(
  db: Database,
  {
    publicId,
    orgId,
    memberId,
    throttleKey,
  }: { publicId: string; orgId: string; memberId?: string; throttleKey: string },
) {
  const row = await readWithRetry(() =>
    db
      .select({
        key: getTableColumns(apiKeys),
        creatorEntitled,
        org: getTableColumns(organizations),
        member: getTableColumns(member),
        memberUser: { id: memberUser.id, username: memberUser.username, email: memberUser.email },
        blockedUntil: throttle.blockedUntil,
      })
      .from(sql`(select 1)`)
      .leftJoin(apiKeys, eq(apiKeys.publicId, publicId))
      .leftJoin(organizations, and(eq(organizations.id, apiKeys.orgId), eq(organizations.id, orgId)))
      .leftJoin(creator, eq(creator.id, apiKeys.createdBy))
      .leftJoin(
        creatorMembership,
        and(eq(creatorMembership.orgId, apiKeys.orgId), eq(creatorMembership.userId, apiKeys.createdBy)),
      )
      .leftJoin(member, and(eq(member.orgId, organizations.id), eq(member.userId, memberId ?? sql`null`)))
      .leftJoin(memberUser, eq(memberUser.id, member.userId))
      .leftJoin(throttle, eq(throttle.key, throttleKey))
      .get(),
  )
  const {
    member: membership,
    memberUser: account,
    ...found
  } = row ?? {
    key: null,
    creatorEntitled: 0,
    org: null,
    member: null,
    memberUser: null,
    blockedUntil: null,
  }
  const named: OrgMember | null =
    membership && account
      ? { ...account, role: membership.role, joinedAt: membership.createdAt, acceptedAt: membership.acceptedAt }
      : null
  return { ...found, creatorEntitled: Boolean(found.creatorEntitled), member: named }
}

const aMinuteBefore = (now: Date) => new Date(now.getTime() - MINUTE_MS)

/** Sets `column` to `now` unless it was set within the last minute, so a busy key costs one write a minute. */
const stampOncePerMinute = (db: Database, id: string, column: 'lastUsedAt' | 'refusedAt', now: Date) =>
  db
    .update(apiKeys)
    .set({ [column]: now })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys[column]), lte(apiKeys[column], aMinuteBefore(now)))))

export const touchApiKey = (db: Database, id: string, now: Date) => stampOncePerMinute(db, id, 'lastUsedAt', now)

/** Changes the row at most once a minute per key: the `api_key_refused` event is recorded only if it did. */
export const markApiKeyRefused = (db: Database, id: string, now: Date) => stampOncePerMinute(db, id, 'refusedAt', now)

/** Revoked or expired before `cutoff`: nothing refers to them any more but audit events, which keep the id. */
export const deleteEndedApiKeys = (db: Database, cutoff: Date, limit: number) =>
  deleteSome(
    db,
    apiKeys,
    apiKeys.id,
    or(lte(apiKeys.expiresAt, cutoff), and(isNotNull(apiKeys.revokedAt), lte(apiKeys.revokedAt, cutoff))) ?? sql`0`,
    limit,
  )

/** Whether `touchApiKey` would write: checked first, so most of a busy key's requests send no statement. */
export const needsTouch = (lastUsedAt: Date | null, now: Date) =>
  lastUsedAt === null || lastUsedAt <= aMinuteBefore(now)
