import { sql } from 'drizzle-orm'
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

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
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [check('users_role_check', sql`${t.role} in ('admin', 'member')`)],
)

export type User = typeof users.$inferSelect
export type NewUser = typeof users.$inferInsert
