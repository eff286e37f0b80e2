import { z } from '@hono/zod-openapi'
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core'
import type { AuditEventType, NewOrganization, Organization, organizations } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'
import { displayName } from '../lib/visible-text'

/** As a username is written, and normalised as one is: a slug is unique whatever its case. */
export const slugSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,32}$/, 'Slug must be 3 to 32 letters, digits, ".", "_" or "-"')
  .overwrite(normalizeIdentifier)
  .openapi({
    description: '3 to 32 letters, digits, `.`, `_` or `-`; kept and answered in lower case',
    example: 'acme',
  })

/** Checked as sent, then trimmed: as the OpenAPI document (which cannot trim) states it. */
export const orgNameSchema = displayName(100).openapi({
  description:
    'Up to 100 characters, not blank, without control or invisible format characters; kept without surrounding spaces',
  example: 'Acme Corporation',
})

export const NewOrganizationSchema = z.strictObject({ slug: slugSchema, name: orgNameSchema })

export const UpdateOrganizationSchema = z
  .strictObject({ slug: slugSchema.optional(), name: orgNameSchema.optional() })
  .refine((patch) => patch.slug !== undefined || patch.name !== undefined, 'Nothing to change')

/** The row for a new organisation: its id and timestamps derived here, once. */
export const buildOrganization = (input: z.infer<typeof NewOrganizationSchema>, now = new Date()): NewOrganization => ({
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
export function planOrganizationChange(
  current: Organization,
  patch: z.infer<typeof UpdateOrganizationSchema>,
  now: Date,
) {
  const changed = (patch.slug ?? current.slug) !== current.slug || (patch.name ?? current.name) !== current.name
  const events: AuditEventType[] = changed ? ['org_updated'] : []
  const set: SQLiteUpdateSetSource<typeof organizations> = { ...patch, updatedAt: now }
  return { set, events }
}
