import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import type { AuditEventType, NewOrganization, Organization, organizations } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'
import { displayName } from '../lib/visible-text'

/** As a username is written, and normalised as one is: a slug is unique whatever its case. */
export const slugSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Slug must be 3 to 32 letters, digits, ".", "_" or "-"')
  .overwrite(normalizeIdentifier)

/** An organization's name, as `displayName` reads one. */
export const orgNameSchema = displayName(100)

/** What a creator names: its slug and name, checked by `slugSchema` and `orgNameSchema`. */
type OrganizationFields = Pick<NewOrganization, 'slug' | 'name'>

/** The row for a new organization: its id and timestamps derived here, once. */
export const buildOrganization = (input: OrganizationFields, now = new Date()): NewOrganization => ({
  id: uuidv7(now.getTime()),
  ...input,
  createdAt: now,
  updatedAt: now,
})

/**
 * What applying `patch` to `current` writes: the columns to set, and `org_updated` unless
 * every field given is what it already is.
 *
 * @example
 * planOrganizationChange(org, { name: 'Acme Inc.' }, now)
 * // { set: { name: 'Acme Inc.', updatedAt: now }, events: ['org_updated'] }
 */
export function planOrganizationChange(current: Organization, patch: Partial<OrganizationFields>, now: Date) {
  const changed = (patch.slug ?? current.slug) !== current.slug || (patch.name ?? current.name) !== current.name
  const events: AuditEventType[] = changed ? ['org_updated'] : []
  const set: SQLiteUpdateSetSource<typeof organizations> = { ...patch, updatedAt: now }
  return { set, events }
}
