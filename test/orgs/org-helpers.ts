import { env } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { expect } from 'vitest'
import { batchByName } from '../../src/data/client'
import { createInvitation } from '../../src/data/invitations'
import { addMember, findMembership } from '../../src/data/memberships'
import { createOrganization } from '../../src/data/organizations'
import { auditEvents, invitations, memberships, type OrgRole, organizations } from '../../src/data/schema'
import { uuidv7 } from '../../src/lib/uuid-v7'
import { buildInvitation } from '../../src/orgs/invitation'
import { buildOrganization } from '../../src/orgs/organization'
import { proxyD1 } from '../flaky-d1'
import { bearer, client, newSession, uniqueName } from '../helpers'

export const db = drizzle(env.DB)

export const ORG_NOT_FOUND = { error: 'Organization not found', code: 'org_not_found' }
export const MEMBER_NOT_FOUND = { error: 'Member not found', code: 'member_not_found' }
export const FORBIDDEN = { error: 'Insufficient permissions', code: 'insufficient_permissions' }
export const SLUG_TAKEN = { error: 'Organization slug already taken', code: 'org_slug_taken' }
export const ALREADY_MEMBER = { error: 'Already a member', code: 'already_member' }
export const LAST_OWNER = {
  error: 'Cannot remove the last owner',
  code: 'last_owner',
  hint: expect.stringContaining('Make another member an owner first'),
}

/** A slug no other test uses: D1 is shared by the test files of a Vitest worker. */
export const uniqueSlug = () => uniqueName('org')

/** An email address of exactly `length` characters (labels of at most 63), unique to this test. */
export function emailOf(length: number) {
  const local = uniqueName('big')
  let domain = 'example.com'
  while (local.length + 1 + domain.length < length) {
    const room = length - local.length - 1 - domain.length - 1
    domain = `${'d'.repeat(Math.min(63, room))}.${domain}`
  }
  return `${local}@${domain}`
}

/** A well-formed UUIDv7 that names nothing. */
export const missingId = () => uuidv7()

/** `POST /api/orgs` as the holder of `token`: the new organization, failing the test unless it answers 201. */
export async function createOrg(
  token: string,
  input: { slug: string; name: string } = { slug: uniqueSlug(), name: 'Acme' },
) {
  const res = await client.api.orgs.$post({ json: input }, bearer(token))
  if (res.status !== 201) expect.fail(`POST /api/orgs answered ${res.status}: ${await res.text()}`)
  return res.json()
}

/** `GET /api/orgs/{orgId}/members` as the holder of `token`: a page of members, failing the test unless it answers 200. */
export async function membersOf(token: string, orgId: string, query: { limit?: string; cursor?: string } = {}) {
  const res = await client.api.orgs[':orgId'].members.$get({ param: { orgId }, query }, bearer(token))
  if (res.status !== 200) expect.fail(`GET members answered ${res.status}: ${await res.text()}`)
  return res.json()
}

/** `PATCH /api/orgs/{orgId}/members/{userId}` as the holder of `token`. */
export const changeRole = (token: string, orgId: string, userId: string, role: OrgRole) =>
  client.api.orgs[':orgId'].members[':userId'].$patch({ param: { orgId, userId }, json: { role } }, bearer(token))

/** `POST /api/orgs/{orgId}/members` (operators' direct add) as the holder of `token`. */
export const addMemberAs = (token: string, orgId: string, user: string, role: OrgRole) =>
  client.api.orgs[':orgId'].members.$post({ param: { orgId }, json: { user, role } }, bearer(token))

/**
 * Makes `userId` a member of `orgId` as `role` straight in D1, as if they had accepted an
 * invitation (`accepted: false`: as an operator adds one): setup that writes no audit event.
 */
export const join = (orgId: string, userId: string, role: OrgRole, { accepted = true } = {}) =>
  addMember(db, { orgId, userId, role, now: new Date(), accepted })

/**
 * A pending invitation of `orgId` from `invitedBy` to a username no account has, straight in D1:
 * setup that writes no audit event. Answers its id.
 */
export async function pendingInvitation(orgId: string, invitedBy: string) {
  const row = buildInvitation({ user: uniqueName('invitee'), role: 'member' }, { orgId, invitedBy, ttlDays: 7 })
  const {
    invitation: [created],
  } = await batchByName(db, createInvitation(db, row, { maxPending: 10_000, maxPerHour: 10_000 }))
  if (!created) expect.fail(`no invitation made in ${orgId}`)
  return created.id
}

/** A new organization owned by `ownerId`, straight in D1: for an owner who never signs in. */
export async function orgOwnedBy(ownerId: string) {
  const org = buildOrganization({ slug: uniqueSlug(), name: 'Acme' })
  await batchByName(db, createOrganization(db, org, ownerId))
  return { orgId: org.id, slug: org.slug }
}

/** `userId`'s role in `orgId` as D1 holds it; undefined if they are not a member. */
export const roleIn = async (orgId: string, userId: string) => (await findMembership(db, orgId, userId))?.role

/** How many owners `orgId` has, in D1. */
export const ownersOf = (orgId: string) =>
  db.$count(memberships, and(eq(memberships.orgId, orgId), eq(memberships.role, 'owner')))

/** `orgId`'s row, memberships and invitations as D1 holds them: to show that a refused request changed nothing. */
export const stateOf = async (orgId: string) => ({
  org: await db.select().from(organizations).where(eq(organizations.id, orgId)).get(),
  members: await db.select().from(memberships).where(eq(memberships.orgId, orgId)).orderBy(memberships.userId).all(),
  invitations: await db.select().from(invitations).where(eq(invitations.orgId, orgId)).orderBy(invitations.id).all(),
  events: await orgEvents(orgId),
})

/** The audit events of `orgId`, oldest first, straight from D1. */
export const orgEvents = (orgId: string) =>
  db.select().from(auditEvents).where(eq(auditEvents.orgId, orgId)).orderBy(auditEvents.id).all()

/** The types of `orgId`'s audit events but its `org_created`, oldest first. */
export const changesIn = async (orgId: string) =>
  (await orgEvents(orgId)).map((event) => event.type).filter((type) => type !== 'org_created')

/**
 * Five signed-in users, one per kind of caller of an organization: its owner, an admin and a
 * member (once `orgOf` made one), a signed-in outsider, and a global admin who is not a member.
 */
export async function cast() {
  const [owner, admin, member, outsider, globalAdmin] = await Promise.all([
    newSession(),
    newSession(),
    newSession(),
    newSession(),
    newSession('admin'),
  ])
  return { owner, admin, member, outsider, globalAdmin }
}

export type Cast = Awaited<ReturnType<typeof cast>>

/** A new organization of `people`: created by its owner through the API, its admin and member added in D1. */
export async function orgOf(people: Cast) {
  const org = await createOrg(people.owner.token)
  await join(org.orgId, people.admin.user.id, 'admin')
  await join(org.orgId, people.member.user.id, 'member')
  return org
}

/** How many answers of `responses` had each status, e.g. `{ 201: 1, 409: 19 }`. */
export function statusCounts(responses: { status: number }[]) {
  const counts: Record<number, number> = {}
  for (const { status } of responses) counts[status] = (counts[status] ?? 0) + 1
  return counts
}

/**
 * The real D1, whose batches (the writes here) wait until `release()`: to hold a request's
 * write after its guard has read, while another request changes what the guard read.
 * `writing` resolves once a batch is waiting.
 */
export function heldD1(db: D1Database) {
  let release = () => {}
  const released = new Promise<void>((resolve) => {
    release = resolve
  })
  let reached = () => {}
  const writing = new Promise<void>((resolve) => {
    reached = resolve
  })
  const binding = proxyD1(db, {
    get(target, property) {
      if (property === 'batch') {
        return async (statements: D1PreparedStatement[]) => {
          reached()
          await released
          return target.batch(statements)
        }
      }
      return target.prepare.bind(target)
    },
  })
  return { binding, writing, release }
}
