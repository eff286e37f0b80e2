import { z } from 'zod'
import { CLI_ORIGIN, orgEvent } from '../../src/audit/events'
import { recordIfChanged } from '../../src/data/audit-events'
import { consumeInvitations } from '../../src/data/invitations'
import { addMember, setMemberRole } from '../../src/data/memberships'
import { createOrganization, orgConflict, selectOrganizationBySlug } from '../../src/data/organizations'
import { type NewOrganization, type OrgRole, orgRoles } from '../../src/data/schema'
import { buildOrganization } from '../../src/orgs/organization'
import { type D1Target, d1Batch, d1Execute } from './database'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'
import { findUser } from './user-changes'

// wrangler returns rows keyed by column name; these columns are named as their fields are.
const FoundOrganization = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: z.enum(orgRoles).nullable(),
})

/** An organization as the command that changes its members needs it, with one user's role in it. */
export type FoundOrganization = z.output<typeof FoundOrganization>

/** The error for a slug no organization has. */
export const noSuchOrganization = (slug: string) =>
  new CliError(`no organization with slug ${slug} (give --name to create it)`)

/**
 * The organization whose slug is `slug` (after normalization) with `userId`'s role in it, null
 * where they are not a member; undefined if there is none.
 *
 * @example
 * const org = await findOrganization({ remote: false }, 'acme', user.id)
 * // { id: '0197…', slug: 'acme', name: 'Acme', role: null }
 */
export async function findOrganization(
  target: D1Target,
  slug: string,
  userId: string,
): Promise<FoundOrganization | undefined> {
  const [row] = await d1Execute(target, selectOrganizationBySlug(sqlBuilder, slug, userId))
  return row === undefined ? undefined : FoundOrganization.parse(row)
}

/**
 * Creates an organization with `ownerId` as its owner, as the API would (same schema, same
 * row), and its `org_created` event by the command line: one batch, written together or not
 * at all. A slug taken since it was looked up, or an account deleted since, is a `CliError`.
 *
 * @example
 * const org = await createOrganizationOwnedBy({ remote: false }, { slug: 'acme', name: 'Acme' }, user.id)
 */
export async function createOrganizationOwnedBy(
  target: D1Target,
  input: { slug: string; name: string },
  ownerId: string,
): Promise<NewOrganization> {
  const row = buildOrganization(input)
  const [created] = await d1Batch(target, [
    ...Object.values(createOrganization(sqlBuilder, row, ownerId, { accepted: false })),
    recordIfChanged(sqlBuilder, orgEvent('org_created', row.id, ownerId, CLI_ORIGIN, row.createdAt)),
  ]).catch((error: unknown) => {
    throw orgConflict(error) === 'slug'
      ? new CliError(`slug ${row.slug} was taken meanwhile; run the command again`)
      : error
  })
  if (created.length === 0) throw new CliError('the account was deleted meanwhile; nothing was created')
  return row
}

const changedMeanwhile = (username: string, slug: string) =>
  new CliError(`the membership of ${username} in ${slug} changed meanwhile; run the command again`)

/**
 * Gives the user named `username` the role `role` in `org`: adds them (`member_added`), without
 * an invitation, if `org.role` says they are not a member, otherwise changes their role
 * (`member_role_changed`); their pending invitations to `org` are then spent.
 * The change and its event, written only if the change was made, are one batch. A change that
 * would leave the organization without an owner is refused in the write itself, and is a
 * `CliError`, as is a user, organization or membership that changed since it was looked up.
 *
 * @example
 * await setMembership({ remote: false }, org, { id: user.id, username: 'alice' }, 'admin')
 */
export async function setMembership(
  target: D1Target,
  org: FoundOrganization,
  user: { id: string; username: string },
  role: OrgRole,
): Promise<void> {
  const now = new Date()
  const membership = { orgId: org.id, userId: user.id, role, now }
  const joins = org.role === null
  const event = orgEvent(joins ? 'member_added' : 'member_role_changed', org.id, user.id, CLI_ORIGIN, now)
  const [changed] = await d1Batch(target, [
    joins ? addMember(sqlBuilder, { ...membership, accepted: false }) : setMemberRole(sqlBuilder, membership),
    recordIfChanged(sqlBuilder, event),
    consumeInvitations(sqlBuilder, org.id, user.id),
  ]).catch((error: unknown) => {
    throw orgConflict(error) === 'membership' ? changedMeanwhile(user.username, org.slug) : error
  })
  if (changed.length > 0) return
  // Refused or gone: the state now says which (findUser throws for an account deleted since).
  const current = await findOrganization(target, org.slug, (await findUser(target, user.username)).id)
  if (current === undefined) throw noSuchOrganization(org.slug)
  if (!joins && current.role === 'owner' && role !== 'owner') {
    throw new CliError(`Cannot remove the last owner of ${org.slug}; make another member an owner first`)
  }
  throw changedMeanwhile(user.username, org.slug)
}
