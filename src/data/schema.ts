import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const roles = ['admin', 'member'] as const
export type Role = (typeof roles)[number]

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    /** `normalizeIdentifier(username)`: what uniqueness and login compare. */
    usernameKey: text('username_key').notNull().unique(),
    /** Stored normalized. */
    email: text('email').notNull().unique(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: roles }).notNull().default('member'),
    /** Set while disabled: no login, no token accepted. */
    disabledAt: integer('disabled_at', { mode: 'timestamp_ms' }),
    /** Carried in tokens as `ver`; bumping it refuses every token issued before. */
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
    /** The token's `exp`, in seconds. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('revoked_tokens_expires_at_idx').on(t.expiresAt)],
)

/** Login limit counters (`ip:…`, `account:…`, `pair:…`), times in seconds; the login part is an HMAC, never the text typed. */
export const loginThrottles = sqliteTable(
  'login_throttles',
  {
    key: text('key').primaryKey(),
    /** Reserved checks not released by a success; one drains per quiet window. */
    attempts: integer('attempts').notNull(),
    lastAttemptAt: integer('last_attempt_at').notNull(),
    /** Until then every attempt on this key responds 429, right password or not. */
    blockedUntil: integer('blocked_until').notNull(),
    /** Account counters only: while blocked, one clean client per `LOGIN_LOCKOUT_SECONDS` may try from this time. */
    nextCleanAttemptAt: integer('next_clean_attempt_at').notNull(),
    /** When the counter has drained: the cleanup deletes it then. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('login_throttles_expires_at_idx').on(t.expiresAt)],
)

/** One row per login, however many rotations; tokens are not stored (`auth/refresh-token-codec.ts`). */
export const refreshFamilies = sqliteTable(
  'refresh_families',
  {
    /** Access tokens of the family carry it as `fam`. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenVersion: integer('token_version').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /** The generation of the one token that may be refreshed. */
    generation: integer('generation').notNull().default(0),
    /** Never past `expires_at`; every access token of the family was issued before it. */
    idleExpiresAt: integer('idle_expires_at', { mode: 'timestamp_ms' }).notNull(),
    rotatedAt: integer('rotated_at', { mode: 'timestamp_ms' }),
    /** Two rotation times are kept: a racer that late is refused without revoking. */
    previousRotatedAt: integer('previous_rotated_at', { mode: 'timestamp_ms' }),
    /** Token bucket: full again at this time; a rotation that would push it past one budget ahead is refused. */
    budgetFullAt: integer('budget_full_at', { mode: 'timestamp_ms' }).notNull().default(sql`0`),
    /** The first rate refusal since the last rotation: audited once, not per request. */
    limitedAt: integer('limited_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    index('refresh_families_user_idx').on(t.userId),
    // Cleanup: idle expiry is never past `expires_at`, so this also finds expired families.
    index('refresh_families_idle_expires_at_idx').on(t.idleExpiresAt),
    // Partial: a refresh's `revoked_at is null` cannot pick it over the primary key.
    index('refresh_families_revoked_at_idx').on(t.revokedAt).where(sql`${t.revokedAt} is not null`),
  ],
)

/** By the token's SHA-256; a login from one is counted on the device's failures only (`auth/device-tokens.ts`). */
export const trustedDevices = sqliteTable(
  'trusted_devices',
  {
    hash: text('hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenVersion: integer('token_version').notNull(),
    /** Wrong passwords since the last right one; at the limit the device is spent. */
    failures: integer('failures').notNull().default(0),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    /** Extended by each login, so a device in use stays trusted. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // Least recently used first: the oldest beyond the limit are pruned.
    index('trusted_devices_user_idx').on(t.userId, t.expiresAt),
    index('trusted_devices_expires_at_idx').on(t.expiresAt),
  ],
)

export const organizations = sqliteTable('organizations', {
  id: text('id').primaryKey(),
  /** Stored normalized: unique whatever its case. */
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
})

export const orgRoles = ['owner', 'admin', 'member'] as const
export type OrgRole = (typeof orgRoles)[number]

/** An organization always keeps an owner: writes that could remove the last one check in their WHERE. */
export const memberships = sqliteTable(
  'memberships',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    // Cascades only memberships that may go: `deleteUser` refuses an organization's last owner.
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: orgRoles }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    /** Set when the user chose to belong; null when an operator added them, whose email managers are not shown. */
    acceptedAt: integer('accepted_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // Also an organization's members in user id order: their keyset.
    primaryKey({ columns: [t.orgId, t.userId] }),
    // A user's organizations in org id order, and whether they own any.
    index('memberships_user_idx').on(t.userId, t.orgId),
    // The last-owner check seeks another owner instead of scanning members.
    index('memberships_org_role_idx').on(t.orgId, t.role),
    check('memberships_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
)

/** Pending only: accepted, declined, revoked or expired ones are deleted. The invitee's account is never disclosed. */
export const invitations = sqliteTable(
  'invitations',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** As the inviter wrote it; shown to the organization. */
    invitee: text('invitee').notNull(),
    /** `normalizeIdentifier(invitee)`: matches accounts, unique per organization. */
    inviteeKey: text('invitee_key').notNull(),
    /** Bound at creation, or when a matching account is created; only that account may accept or decline it. */
    inviteeUserId: text('invitee_user_id').references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: orgRoles }).notNull(),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    // A second pending invitation to the same key is a conflict.
    uniqueIndex('invitations_org_invitee_unique').on(t.orgId, t.inviteeKey),
    // An organization's invitations in id order, and its pending count.
    index('invitations_org_idx').on(t.orgId, t.id),
    index('invitations_invitee_user_idx').on(t.inviteeUserId, t.id),
    // Unbound invitations a new account's username or email binds.
    index('invitations_unbound_idx').on(t.inviteeKey).where(sql`${t.inviteeUserId} is null`),
    index('invitations_expires_at_idx').on(t.expiresAt),
    check('invitations_role_check', sql`${t.role} in ('owner', 'admin', 'member')`),
  ],
)

export const apiKeyRoles = ['admin', 'member'] as const
export type ApiKeyRole = (typeof apiKeyRoles)[number]

/** An organization's credential for integrations; only the SHA-256 of the key is stored (docs/security.md, "API keys"). */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    /** The part of the key after `osk_` that finds its row; not secret. */
    publicId: text('public_id').notNull().unique(),
    secretHash: text('secret_hash').notNull(),
    name: text('name').notNull(),
    role: text('role', { enum: apiKeyRoles }).notNull(),
    /** Null once that account is deleted; null too for a key the CLI created. */
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Set by an owner: the key keeps working when its creator loses the right to create it. */
    survivesCreator: integer('survives_creator', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /** Written at most once a minute, after the response. */
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    /** The last `api_key_refused` event: at most one a minute per key. */
    refusedAt: integer('refused_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // An organization's keys in id (creation) order, and its live count.
    index('api_keys_org_idx').on(t.orgId, t.id),
    index('api_keys_expires_at_idx').on(t.expiresAt),
    index('api_keys_revoked_at_idx').on(t.revokedAt).where(sql`${t.revokedAt} is not null`),
    check('api_keys_role_check', sql`${t.role} in ('admin', 'member')`),
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
  'api_key_created',
  'api_key_revoked',
  'api_key_refused',
] as const
export type AuditEventType = (typeof auditEventTypes)[number]

/** Never a password, hash or token. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    type: text('type', { enum: auditEventTypes }).notNull(),
    /** Kept after the account is deleted. */
    subjectUserId: text('subject_user_id'),
    actorUserId: text('actor_user_id'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    /** Kept after the organization is deleted. */
    orgId: text('org_id'),
    /** The API key the event is about (`api_key_*`) or that acted (then `actor_user_id` is null). */
    apiKeyId: text('api_key_id'),
  },
  (t) => [
    index('audit_events_subject_idx').on(t.subjectUserId, t.id),
    index('audit_events_type_idx').on(t.type, t.id),
    // Organization events only, for the organization audit listing.
    index('audit_events_org_idx').on(t.orgId, t.id).where(sql`${t.orgId} is not null`),
    // An inviter's recent invitations: their hourly limit.
    index('audit_events_invitations_idx').on(t.actorUserId, t.id).where(sql`${t.type} = 'invitation_created'`),
  ],
)

export type User = typeof users.$inferSelect
/** A user as the guard reads it: every column but the password hash, which only a password check needs. */
export type Account = Omit<User, 'passwordHash'>
export type NewUser = typeof users.$inferInsert
export type NewAuditEvent = typeof auditEvents.$inferInsert
export type RefreshFamily = typeof refreshFamilies.$inferSelect
export type Organization = typeof organizations.$inferSelect
export type NewOrganization = typeof organizations.$inferInsert
export type Membership = typeof memberships.$inferSelect
export type Invitation = typeof invitations.$inferSelect
export type TrustedDevice = typeof trustedDevices.$inferSelect
export type NewInvitation = typeof invitations.$inferInsert
export type ApiKey = typeof apiKeys.$inferSelect
export type NewApiKey = typeof apiKeys.$inferInsert
