import { z } from 'zod'
import type { NewInvitation } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'
import { INVISIBLE_MESSAGE, VISIBLE_ONLY } from '../lib/visible-text'

const DAY_MS = 86_400_000

/** A username (as `usernameSchema`) or an email (as `emailSchema`), surrounding spaces allowed. */
export const USERNAME_OR_EMAIL = new RegExp(`^ *(?:[A-Za-z0-9._-]{3,32}|${z.regexes.email.source.slice(1, -1)}) *$`)

/** Validated as sent, then trimmed. */
export const inviteeSchema = z
  .string()
  .max(254)
  .regex(VISIBLE_ONLY, INVISIBLE_MESSAGE)
  .regex(USERNAME_OR_EMAIL, 'Must be a username or an email address')
  .trim()

/** The invitee's account is resolved by the insert itself (`createInvitation`). */
export const buildInvitation = (
  { user, role }: { user: string; role: NewInvitation['role'] },
  { orgId, invitedBy, ttlDays }: { orgId: string; invitedBy: string; ttlDays: number },
  now = new Date(),
) =>
  ({
    id: uuidv7(now.getTime()),
    orgId,
    invitee: user,
    inviteeKey: normalizeIdentifier(user),
    role,
    invitedBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlDays * DAY_MS),
  }) satisfies NewInvitation
