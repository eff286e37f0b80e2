import { z } from '@hono/zod-openapi'
import type { listOrgInvitations, ReceivedInvitation } from '../../data/invitations'
import { orgRoles } from '../../data/schema'
import { idParamSchema, idSchema } from '../../http/id-schemas'
import { jsonResponse, nextCursorSchema } from '../../http/openapi'
import { inviteeSchema, USERNAME_OR_EMAIL } from '../../orgs/invitation'
import { ORGANIZATION_EXAMPLE, OrgParamsSchema } from '../orgs/schemas'

const invitationIdParam = idParamSchema.openapi({
  param: { name: 'invitationId', in: 'path' },
  description: "The invitation's `invitationId`, in either case",
})

export const InvitationIdParamsSchema = z.object({ invitationId: invitationIdParam })

export const OrgInvitationParamsSchema = OrgParamsSchema.extend({ invitationId: invitationIdParam })

const timestamp = z.iso.datetime()

export const NewInvitationSchema = z.strictObject({
  // The pattern rejects invisible characters too; the server reports which rule failed.
  user: inviteeSchema.openapi({
    pattern: USERNAME_OR_EMAIL.source,
    description:
      'A username or an email address, whether or not an account has it yet: the response is the same either way',
    example: 'alice@example.com',
  }),
  role: z.enum(orgRoles).openapi({ description: 'Given on acceptance; only an owner may invite an owner' }),
})

const InviterSchema = z
  .object({ userId: idSchema, username: z.string().openapi({ example: 'ada' }) })
  .nullable()
  .openapi({ description: 'Who sent it; null once their account is deleted' })

/** Never discloses whether, or which, account the invitation names. */
export const InvitationSchema = z
  .object({
    invitationId: idSchema,
    user: z
      .string()
      .openapi({ description: 'The username or email it was sent to, as written', example: 'alice@example.com' }),
    role: z.enum(orgRoles),
    invitedBy: InviterSchema,
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .openapi('Invitation')

export const INVITATION_EXAMPLE: z.infer<typeof InvitationSchema> = {
  invitationId: '019ac1f5-3d4e-7f50-8162-738495a6b7c8',
  user: 'alice@example.com',
  role: 'member',
  invitedBy: { userId: '019ac1f2-6b2a-7bcd-9e00-123456789abc', username: 'ada' },
  createdAt: '2026-11-29T10:15:30.123Z',
  expiresAt: '2026-12-06T10:15:30.123Z',
}

/** Field by field, so that no other column (the account it is for) can slip in. */
export const toInvitation = (
  invitation: Awaited<ReturnType<typeof listOrgInvitations>>['page'][number],
): z.infer<typeof InvitationSchema> => ({
  invitationId: invitation.id,
  user: invitation.invitee,
  role: invitation.role,
  invitedBy: invitation.invitedBy,
  createdAt: invitation.createdAt.toISOString(),
  expiresAt: invitation.expiresAt.toISOString(),
})

export const InvitationPageSchema = z
  .object({ invitations: z.array(InvitationSchema), nextCursor: nextCursorSchema })
  .openapi('InvitationPage')

/** An invitation as the account it is for sees it: the organization, the role and who sent it. */
export const ReceivedInvitationSchema = z
  .object({
    invitationId: idSchema,
    organization: z.object({
      orgId: idSchema,
      slug: z.string().openapi({ example: 'acme' }),
      name: z.string().openapi({ example: 'Acme Corporation' }),
    }),
    role: z.enum(orgRoles).openapi({ description: 'The role accepting gives' }),
    invitedBy: InviterSchema,
    createdAt: timestamp,
    expiresAt: timestamp,
  })
  .openapi('ReceivedInvitation')

export const toReceivedInvitation = (invitation: ReceivedInvitation): z.infer<typeof ReceivedInvitationSchema> => ({
  invitationId: invitation.id,
  organization: { orgId: invitation.org.id, slug: invitation.org.slug, name: invitation.org.name },
  role: invitation.role,
  invitedBy: invitation.invitedBy,
  createdAt: invitation.createdAt.toISOString(),
  expiresAt: invitation.expiresAt.toISOString(),
})

export const ReceivedInvitationPageSchema = z
  .object({ invitations: z.array(ReceivedInvitationSchema), nextCursor: nextCursorSchema })
  .openapi('ReceivedInvitationPage')

export const RECEIVED_INVITATION_EXAMPLE: z.infer<typeof ReceivedInvitationSchema> = {
  invitationId: INVITATION_EXAMPLE.invitationId,
  organization: { orgId: ORGANIZATION_EXAMPLE.orgId, slug: ORGANIZATION_EXAMPLE.slug, name: ORGANIZATION_EXAMPLE.name },
  role: 'member',
  invitedBy: INVITATION_EXAMPLE.invitedBy,
  createdAt: INVITATION_EXAMPLE.createdAt,
  expiresAt: INVITATION_EXAMPLE.expiresAt,
}

export const invitationResponse = (description: string, example = INVITATION_EXAMPLE) =>
  jsonResponse(description, InvitationSchema, example)
