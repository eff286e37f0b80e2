import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const roles = ['admin', 'member'] as const
export type Role = (typeof roles)[number]

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    /** As the user first wrote it; shown back to them. */
    username: text('username').notNull(),
    /** `normalizeIdentifier(username)`: what uniqueness and login compare. */
    usernameKey: text('username_key').notNull().unique(),
    /** Stored normalised: emails compare case-insensitively. */
    email: text('email').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: roles }).notNull().default('member'),
    /** Set while an admin has disabled the account: no login, no token accepted. */
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    /**
     * Carried in every token as `ver`; bumping it (password change, log out
     * everywhere) refuses every token issued before, exactly to the request.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [check('users_role_check', sql`${t.role} in ('admin', 'member')`)],
)

/** Tokens logged out before their expiry, kept until then. */
export const revokedTokens = sqliteTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The token's `exp`, in seconds: the row is useless after it. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_tokens_expires_at_idx').on(t.expiresAt)],
)

/**
 * The login limits' counters: one per client network (`ip:…`), per account as typed
 * (`account:…`) and per account and network (`pair:…`); see `data/login-throttles.ts`.
 * Every name is bounded: the login part is an HMAC, never the text typed.
 */
export const loginThrottles = sqliteTable(
  'login_throttles',
  {
    key: text('key').primaryKey(),
    /** Password checks reserved and not given back by a success; one drains per quiet window. */
    attempts: integer('attempts').notNull(),
    /** Seconds. The last reservation. */
    lastAttemptAt: integer('last_attempt_at').notNull(),
    /** Seconds. Until then every attempt on this key answers 429, right password or not. */
    blockedUntil: integer('blocked_until').notNull(),
    /**
     * Seconds; account counters only. While the account is blocked, a client with a clean
     * history may still try once it is this late: one such client per `LOGIN_LOCKOUT_SECONDS`.
     */
    nextCleanAttemptAt: integer('next_clean_attempt_at').notNull(),
    /** Seconds. When the counter has drained and holds nothing: the scheduled cleanup deletes it then. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('login_throttles_expires_at_idx').on(t.expiresAt)],
)

/**
 * One login's refresh tokens: every token rotated from the one that login was given, as one row
 * however many rotations. A token is not stored: it names its family and generation, with a MAC
 * (`auth/refresh-token-codec.ts`). Refused as a whole once revoked (logout, reuse), expired, or
 * when the user's `token_version` moved on.
 */
export const refreshFamilies = sqliteTable(
  'refresh_families',
  {
    /** UUIDv7; access tokens issued from the family name it as `fam`. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The user's `token_version` at login: logging out everywhere or a new password moves it on. */
    tokenVersion: integer('token_version').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** The absolute limit, from the login: no token of the family is refreshed after it. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set by logout or reuse: refresh tokens and access tokens of the family are refused from then on. */
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /** The generation of the one token that may be refreshed: 0 for the login's, one more per rotation. */
    generation: integer('generation').notNull().default(0),
    /** The current token's idle limit, never past `expires_at`: every access token of the family was issued before it. */
    idleExpiresAt: integer('idle_expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the token before the current one was rotated; null before the first rotation. */
    rotatedAt: integer('rotated_at', { mode: 'timestamp_ms' }),
    /** When the token two before the current one was rotated: a racer that late is refused without revoking. */
    previousRotatedAt: integer('previous_rotated_at', { mode: 'timestamp_ms' }),
    /**
     * When the family's rotation budget is full again: each rotation adds its cost, from now if it
     * was full, and one that would push it more than a whole budget ahead is refused.
     */
    budgetFullAt: integer('budget_full_at', { mode: 'timestamp_ms' }).notNull().default(sql`0`),
    /** When a rotation was first refused for the rate since the last rotation: audited once, not per request. */
    limitedAt: integer('limited_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('refresh_families_user_idx').on(t.userId),
    // The cleanup's: `idle_expires_at` is never past `expires_at`, so it also finds expired families.
    index('refresh_families_idle_expires_at_idx').on(t.idleExpiresAt),
    // Revoked families only: cleanup reads it, and a refresh's `revoked_at is null` cannot pick it over the key.
    index('refresh_families_revoked_at_idx').on(t.revokedAt).where(sql`${t.revokedAt} is not null`),
  ],
)

/**
 * Devices that logged in to an account, by the SHA-256 of the device token they were given: the
 * token itself is never stored. A login presenting one is counted on the device's own failures,
 * not on the counters a lockout aimed at other clients fills (see `auth/device-tokens.ts`).
 */
export const trustedDevices = sqliteTable(
  'trusted_devices',
  {
    /** Base64url of SHA-256 of the token. */
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The user's `token_version` when it was given: a password change or logging out everywhere revokes it. */
    tokenVersion: integer('token_version').notNull(),
    /** Wrong passwords since its last right one; at the limit the device is spent (`expires_at` now). */
    failures: integer('failures').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Moved on by each login it makes: a device in use stays trusted. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // An account's devices, most recently used last: the oldest beyond the limit go.
    index('trusted_devices_user_idx').on(t.userId, t.expiresAt),
    index('trusted_devices_expires_at_idx').on(t.expiresAt),
  ],
)

export const organizations = sqliteTable('organizations', {
  /** UUIDv7. */
  id: text('id').primaryKey(),
  /** Stored normalised (`normalizeIdentifier`), as emails are: unique whatever its case. */
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

export const orgRoles = ['owner', 'admin', 'member'] as const
export type OrgRole = (typeof orgRoles)[number]

/**
 * Who belongs to which organisation, and as what: one row per user and organisation. An
 * organisation always keeps an owner (see `data/memberships.ts`): the statements that could
 * take its last one away check for another in their own WHERE.
 */
export const memberships = sqliteTable(
  'memberships',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Cascades only for memberships that may go: `deleteUser` refuses the last owner of an organisation.
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: orgRoles }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    /**
     * When the user chose to belong: created the organisation or accepted an invitation. Null for
     * a member an operator added, whose email its owners and admins are not shown.
     */
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // Also the members of an organisation in user id order: their keyset.
    primaryKey({ columns: [t.orgId, t.userId] }),
    // A user's organisations in org id order, and whether a user is an owner anywhere.
    index('memberships_user_idx').on(t.userId, t.orgId),
    // The last-owner check's "another owner": a seek, not a walk through every member.
    index('memberships_org_role_idx').on(t.orgId, t.role),
    check('memberships_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
)

/**
 * Pending invitations to join an organisation; answered, revoked or expired ones are deleted. The
 * account an invitation is for is never told to the organisation (see `data/invitations.ts`).
 */
export const invitations = sqliteTable(
  'invitations',
  {
    /** UUIDv7. */
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The username or email the inviter wrote, as written: shown back to the organisation. */
    invitee: text('invitee').notNull(),
    /** `normalizeIdentifier(invitee)`: what accounts are matched by, and unique per organisation. */
    inviteeKey: text('invitee_key').notNull(),
    /**
     * The account it is for: the one `invitee_key` named when it was made, or else the first one
     * created with that username or email. Null until then; only this account may answer it.
     */
    inviteeUserId: text('invitee_user_id').references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: orgRoles }).notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // One pending invitation per username or email and organisation: a second is a conflict.
    uniqueIndex('invitations_org_invitee_unique').on(t.orgId, t.inviteeKey),
    // An organisation's invitations in id order, and how many it has pending.
    index('invitations_org_idx').on(t.orgId, t.id),
    // An account's invitations in id order.
    index('invitations_invitee_user_idx').on(t.inviteeUserId, t.id),
    // What a new account's username or email binds.
    index('invitations_unbound_idx').on(t.inviteeKey).where(sql`${t.inviteeUserId} is null`),
    index('invitations_expires_at_idx').on(t.expiresAt),
    check('invitations_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
)

export const auditEventTypes = [
  'login_succeeded',
  'login_failed',
  'login_blocked',
  'logout',
  'logout_all',
  'password_changed',
  'user_created',
  'user_updated',
  'user_disabled',
  'user_deleted',
  'role_changed',
  'refresh_token_reused',
  'refresh_rate_limited',
  'org_created',
  'org_updated',
  'org_deleted',
  'member_added',
  'member_role_changed',
  'member_removed',
  'invitation_created',
  'invitation_revoked',
  'invitation_accepted',
  'invitation_declined',
] as const
export type AuditEventType = (typeof auditEventTypes)[number]

/** The audit trail. Never a password, hash or token. Ids are UUIDv7: they sort by time. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    type: text('type', { enum: auditEventTypes }).notNull(),
    /** The account the event is about; kept after the account is deleted. */
    subjectUserId: text('subject_user_id'),
    actorUserId: text('actor_user_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** The organisation the event happened in, if any; kept after the organisation is deleted. */
    orgId: text('org_id'),
  },
  (t) => [
    index('audit_events_subject_idx').on(t.subjectUserId, t.id),
    index('audit_events_type_idx').on(t.type, t.id),
    // Organisation events only: the org audit listing reads it, newest first.
    index('audit_events_org_idx').on(t.orgId, t.id).where(sql`${t.orgId} is not null`),
    // An inviter's invitations of the last hour: their hourly limit.
    index('audit_events_invitations_idx').on(t.actorUserId, t.id).where(sql`${t.type} = 'invitation_created'`),
  ],
)

export type User = typeof users.$inferSelect
export type NewUser = typeof users.$inferInsert
export type NewAuditEvent = typeof auditEvents.$inferInsert
export type RefreshFamily = typeof refreshFamilies.$inferSelect
export type Organization = typeof organizations.$inferSelect
export type NewOrganization = typeof organizations.$inferInsert
export type Membership = typeof memberships.$inferSelect
export type Invitation = typeof invitations.$inferSelect
export type TrustedDevice = typeof trustedDevices.$inferSelect
export type NewInvitation = typeof invitations.$inferInsert
