import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import type { AuditEventType, NewOrganization, Organization, organizations } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'
import { displayName } from '../lib/visible-text'

/** Normalized like a username: unique whatever its case. */
export const slugSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Slug must be 3 to 32 letters, digits, ".", "_" or "-"')
  .overwrite(normalizeIdentifier)

export const orgNameSchema = displayName(100)

type OrganizationFields = Pick<NewOrganization, 'slug' | 'name'>

export const buildOrganization = (input: OrganizationFields, now = new Date()): NewOrganization => ({
  id: uuidv7(now.getTime()),
  ...input,
  createdAt: now,
  updatedAt: now,
})

/** `org_updated` only when a given field actually changes. */
export function planOrganizationChange(current: Organization, patch: Partial<OrganizationFields>, now: Date) {
  const changed = (patch.slug ?? current.slug) !== current.slug || (patch.name ?? current.name) !== current.name
  const events: AuditEventType[] = changed ? ['org_updated'] : []
  const set: SQLiteUpdateSetSource<typeof organizations> = { ...patch, updatedAt: now }
  return { set, events }
}
