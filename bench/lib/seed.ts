import { readdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { inlineSql, sqlBuilder } from '../../scripts/lib/inline-sql'
import { projectRoot } from '../../scripts/lib/project-root'
import type { Hashing } from '../../src/auth/passwords'
import { apiKeys, memberships, type NewOrganization, type NewUser, organizations, users } from '../../src/data/schema'
import { normalizeIdentifier } from '../../src/lib/normalize'
import { uuidv7 } from '../../src/lib/uuid-v7'
import { buildApiKey, DEFAULT_API_KEY_DAYS } from '../../src/orgs/api-key'
import { buildOrganization } from '../../src/orgs/organization'
import { buildUser } from '../../src/users/new-user'

/** The account the bench logs in as, in every setup; the only one whose password is known. */
export const BENCH_USER = {
  username: 'bench-user',
  email: 'bench-user@example.com',
  password: 'bench-password-not-a-secret',
  role: 'member',
} as const

// Values written into the SQL, not bound (D1 binds at most 100 per statement): each
// INSERT stays well under D1's 100 KB statement limit, and one `exec` call sends many.
const ROWS_PER_INSERT = 250
const INSERTS_PER_EXEC = 40

/** Applies migrations/*.sql in order, each split into statements as `wrangler d1 migrations apply` splits it. */
export async function applyMigrations(db: D1Database): Promise<void> {
  const { unstable_splitSqlQuery } = await import('wrangler')
  const dir = resolve(projectRoot, 'migrations')
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort()
  for (const file of files) {
    const statements = unstable_splitSqlQuery(await readFile(resolve(dir, file), 'utf8'))
    await db.batch(statements.map((statement) => db.prepare(statement)))
  }
}

/**
 * Adds `count` users: `BENCH_USER`, and others that all share one PBKDF2 hash (of a
 * password nobody logs in with), so 100,000 rows cost one hash, not 100,000. Rows come
 * from the API's own `buildUser`; drizzle writes the multi-row INSERTs, and they reach
 * D1 a few dozen per `exec` call (`insertRows`). Returns their ids, `BENCH_USER`'s first.
 */
export async function seedUsers(db: D1Database, count: number, hashing: Hashing): Promise<string[]> {
  const now = new Date()
  const filler = await buildUser(
    { username: 'filler', email: 'filler@example.com', password: 'nobody-logs-in-with-this', role: 'member' },
    hashing,
    now,
  )
  const rows: NewUser[] = [await buildUser(BENCH_USER, hashing, now)]
  for (let i = 1; i < count; i++) {
    const username = `user-${i}`
    rows.push({
      ...filler,
      id: uuidv7(now.getTime()),
      username,
      usernameKey: normalizeIdentifier(username),
      email: `${username}@example.com`,
    })
  }
  await insertRows(db, users, rows)
  await expectCount(db, 'users', count)
  return rows.map((row) => row.id)
}

/**
 * Adds `count` organizations of `members` users each, drawn in order from `userIds` (as
 * `seedUsers` returns them: `BENCH_USER` first), so that no user belongs to two. Each has
 * one owner, its second user; everyone else is a member, `BENCH_USER` of the first
 * organization too. Returns that organization's id: the one the bench user requests.
 */
export async function seedOrganizations(
  db: D1Database,
  userIds: string[],
  { count, members }: { count: number; members: number },
): Promise<string> {
  if (count * members > userIds.length) {
    throw new Error(`${count} organizations of ${members} members need more than ${userIds.length} users`)
  }
  const now = new Date()
  const orgs: NewOrganization[] = []
  const rows: (typeof memberships.$inferInsert)[] = []
  for (let i = 0; i < count; i++) {
    const org = buildOrganization({ slug: `org-${i}`, name: `Organization ${i}` }, now)
    orgs.push(org)
    for (let j = 0; j < members; j++) {
      const role = j === 1 ? 'owner' : 'member'
      rows.push({ orgId: org.id, userId: userIds[i * members + j], role, createdAt: now, updatedAt: now })
    }
  }
  await insertRows(db, organizations, orgs)
  await insertRows(db, memberships, rows)
  await expectCount(db, 'organizations', count)
  await expectCount(db, 'memberships', count * members)
  return orgs[0].id
}

/**
 * Adds an organization whose only member is `ownerId`, its owner, accepted as `POST /api/orgs` makes
 * it: where the bench user sends invitations, which only owners and admins may. Returns its id.
 */
export async function seedOwnedOrganization(db: D1Database, ownerId: string, slug: string): Promise<string> {
  const now = new Date()
  const org = buildOrganization({ slug, name: 'Bench invitations' }, now)
  await insertRows(db, organizations, [org])
  await insertRows(db, memberships, [
    { orgId: org.id, userId: ownerId, role: 'owner', createdAt: now, updatedAt: now, acceptedAt: now },
  ])
  return org.id
}

/**
 * Adds a `member` API key of `orgId` as its owner `createdBy` would create it through the API (`buildApiKey`,
 * not surviving its creator), so the guard's query finds a creator and checks their membership, as for most
 * keys. Returns the key, which only the answer to its creation would show, and its id.
 */
export async function seedApiKey(
  db: D1Database,
  { orgId, createdBy }: { orgId: string; createdBy: string },
): Promise<{ key: string; id: string }> {
  const { row, key } = await buildApiKey(
    { name: 'Bench key', role: 'member', expiresInDays: DEFAULT_API_KEY_DAYS, survivesCreator: false },
    { orgId, createdBy },
  )
  await insertRows(db, apiKeys, [row])
  return { key, id: row.id }
}

/**
 * Writes `rows` into `table` as multi-row INSERTs with the values inlined, a few dozen
 * statements per `exec` call, which keeps 100,000 rows to a few seconds.
 */
async function insertRows<T extends SQLiteTable>(db: D1Database, table: T, rows: T['$inferInsert'][]): Promise<void> {
  const inserts: string[] = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    inserts.push(
      inlineSql(
        sqlBuilder
          .insert(table)
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .toSQL(),
      ),
    )
  }
  // `exec` runs one statement per line.
  for (let i = 0; i < inserts.length; i += INSERTS_PER_EXEC) {
    await db.exec(inserts.slice(i, i + INSERTS_PER_EXEC).join('\n'))
  }
}

async function expectCount(db: D1Database, table: string, count: number): Promise<void> {
  const seeded = await db.prepare(`select count(*) as count from ${table}`).first<{ count: number }>()
  if (seeded?.count !== count) throw new Error(`Seeded ${seeded?.count} rows of ${table}, not ${count}`)
}
