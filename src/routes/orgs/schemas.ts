import { z } from '@hono/zod-openapi'
import type { OrgMember } from '../../data/memberships'
import { type Organization, type OrgRole, orgRoles } from '../../data/schema'
import { idParamSchema, idSchema } from '../../http/id-schemas'
import { jsonResponse, nextCursorSchema } from '../../http/openapi'
import { VISIBLE_ONLY } from '../../lib/visible-text'
import { orgNameSchema as orgNameRule, slugSchema as slugRule } from '../../orgs/organization'
import { type OrgViewer, seesEmailOf } from '../../orgs/permissions'
import { emailSchema } from '../users/schemas'

const orgIdParam = idParamSchema.openapi({
  param: { name: 'orgId', in: 'path' },
  description: "The organization's `orgId`, in either case",
})

export const OrgParamsSchema = z.object({ orgId: orgIdParam })

export const MemberParamsSchema = z.object({
  orgId: orgIdParam,
  userId: idParamSchema.openapi({
    param: { name: 'userId', in: 'path' },
    description: "The member's `userId`, in either case",
  }),
})

const timestamp = z.iso.datetime()

const slugSchema = slugRule.openapi({
  description: '3 to 32 letters, digits, `.`, `_` or `-`; stored and returned in lower case',
  example: 'acme',
})

// Checked as sent, then trimmed; one pattern, as the document keeps only one per field.
const orgNameSchema = orgNameRule.openapi({
  pattern: `^(?=.*\\S)${VISIBLE_ONLY.source.slice(1)}`,
  description:
    'Up to 100 characters, not blank, without control or invisible format characters; kept without surrounding spaces',
  example: 'Acme Corporation',
})

export const NewOrganizationSchema = z.strictObject({ slug: slugSchema, name: orgNameSchema })

export const UpdateOrganizationSchema = z
  .strictObject({ slug: slugSchema.optional(), name: orgNameSchema.optional() })
  .refine((patch) => patch.slug !== undefined || patch.name !== undefined, 'Nothing to change')

export const OrganizationSchema = z
  .object({
    orgId: idSchema,
    slug: z.string().openapi({ example: 'acme' }),
    name: z.string().openapi({ example: 'Acme Corporation' }),
    role: z
      .enum(orgRoles)
      .nullable()
      .openapi({ description: "The caller's role in it; null for a global admin who is not a member" }),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .openapi('Organization')

export const ORGANIZATION_EXAMPLE: z.infer<typeof OrganizationSchema> = {
  orgId: '019ac1f4-2c3d-7e4f-a051-627384950a1b',
  slug: 'acme',
  name: 'Acme Corporation',
  role: 'owner',
  createdAt: '2026-11-29T10:15:30.123Z',
  updatedAt: '2026-11-29T10:15:30.123Z',
}

export const toOrganization = (org: Organization, role: OrgRole | null): z.infer<typeof OrganizationSchema> => ({
  orgId: org.id,
  slug: org.slug,
  name: org.name,
  role,
  createdAt: org.createdAt.toISOString(),
  updatedAt: org.updatedAt.toISOString(),
})

export const organizationResponse = (description: string, example = ORGANIZATION_EXAMPLE) =>
  jsonResponse(description, OrganizationSchema, example)

export const OrganizationPageSchema = z
  .object({ organizations: z.array(OrganizationSchema), nextCursor: nextCursorSchema })
  .openapi('OrganizationPage')

export const MemberSchema = z
  .object({
    userId: idSchema,
    username: z.string().openapi({ example: 'alice' }),
    email: emailSchema.nullable().openapi({
      description:
        "Shown to the member themselves, and to the organization's owners and admins for members who created it or accepted an invitation (global admins: every member); null otherwise",
    }),
    role: z.enum(orgRoles),
    joinedAt: timestamp,
  })
  .openapi('Member')

export const MEMBER_EXAMPLE: z.infer<typeof MemberSchema> = {
  userId: '019ac1f2-7a3b-7cde-8f01-23456789abcd',
  username: 'alice',
  email: 'alice@example.com',
  role: 'member',
  joinedAt: '2026-11-29T10:15:30.123Z',
}

/** Field by field, so no other column of the row (a password hash) can slip in. */
export const toMember = (member: OrgMember, viewer: OrgViewer): z.infer<typeof MemberSchema> => ({
  userId: member.id,
  username: member.username,
  email: seesEmailOf(viewer, member) ? member.email : null,
  role: member.role,
  joinedAt: member.joinedAt.toISOString(),
})

export const memberResponse = (description: string, example = MEMBER_EXAMPLE) =>
  jsonResponse(description, MemberSchema, example)

export const MemberPageSchema = z
  .object({ members: z.array(MemberSchema), nextCursor: nextCursorSchema })
  .openapi('MemberPage')

export const NewMemberSchema = z
  .strictObject({
    // As orgNameSchema: checked as sent, then trimmed.
    user: z
      .string()
      .max(254)
      .regex(/\S/, 'Must not be blank')
      .trim()
      .openapi({ description: 'The username, email or `userId` of an existing account', example: 'alice' }),
    role: z.enum(orgRoles),
  })
  .openapi('NewMember')

export const MemberRoleSchema = z.strictObject({ role: z.enum(orgRoles) }).openapi('MemberRole')
