import { z } from 'zod'
import type { NewInvitation } from '../data/schema'
import { normalizeIdentifier } from '../lib/normalize'
import { uuidv7 } from '../lib/uuid-v7'
import { INVISIBLE_MESSAGE, VISIBLE_ONLY } from '../lib/visible-text'

const DAY_MS = 86_400_000

/** A username (as `usernameSchema`) or an email (as `emailSchema`), with spaces around it allowed. */
export const USERNAME_OR_EMAIL = new RegExp(`^ *(?:[A-Za-z0-9._-]{3,32}|${z.regexes.email.source.slice(1, -1)}) *$`)

/** Who an invitation is for, as the inviter writes it: checked as sent, then trimmed. */
export const inviteeSchema = z
  .string()
  .max(254)
  .regex(VISIBLE_ONLY, INVISIBLE_MESSAGE)
  .regex(USERNAME_OR_EMAIL, 'Must be a username or an email address')
  .trim()

/**
 * The row for a new invitation from `invitedBy` to `orgId`, expiring `ttlDays` from `now`; the
 * account it is for is resolved by the write itself.
 *
 * @example
 * buildInvitation({ user: 'Alice', role: 'member' }, { orgId, invitedBy: caller.id, ttlDays: 7 })
 * // { id: '019a…', invitee: 'Alice', inviteeKey: 'alice', role: 'member', expiresAt: <now + 7 days>, … }
 */
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
