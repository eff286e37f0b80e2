import { eq, gt, or } from 'drizzle-orm'
import type { Database } from '../db/client'
import { users } from '../db/schema'
import { normalizeIdentifier } from '../lib/normalize'

/** The user whose username or email is `login`, compared after normalisation. */
export function findUserByLogin(db: Database, login: string) {
  const key = normalizeIdentifier(login)
  return db
    .select()
    .from(users)
    .where(or(eq(users.usernameKey, key), eq(users.email, key)))
    .get()
}

export function findUserById(db: Database, id: string) {
  return db.select().from(users).where(eq(users.id, id)).get()
}

/** One page of users in creation order (ids are UUIDv7), after `cursor` if given. */
export async function listUsers(db: Database, { limit, cursor }: { limit: number; cursor?: string }) {
  const rows = await db
    .select()
    .from(users)
    .where(cursor ? gt(users.id, cursor) : undefined)
    .orderBy(users.id)
    .limit(limit + 1)
    .all()
  const page = rows.slice(0, limit)
  return { page, nextCursor: rows.length > limit ? page[page.length - 1].id : null }
}
