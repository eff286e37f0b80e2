import { readdir, readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { inlineSql, sqlBuilder } from '../../scripts/lib/inline-sql'
import { projectRoot } from '../../scripts/lib/wrangler'
import type { Hashing } from '../../src/auth/passwords'
import { type NewUser, users } from '../../src/data/schema'
import { normalizeIdentifier } from '../../src/lib/normalize'
import { uuidv7 } from '../../src/lib/uuid-v7'
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
 * D1 a few dozen per `exec` call, which keeps 100,000 rows to a few seconds.
 */
export async function seedUsers(db: D1Database, count: number, hashing: Hashing): Promise<void> {
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
  const inserts: string[] = []
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    inserts.push(
      inlineSql(
        sqlBuilder
          .insert(users)
          .values(rows.slice(i, i + ROWS_PER_INSERT))
          .toSQL(),
      ),
    )
  }
  // `exec` runs one statement per line.
  for (let i = 0; i < inserts.length; i += INSERTS_PER_EXEC) {
    await db.exec(inserts.slice(i, i + INSERTS_PER_EXEC).join('\n'))
  }
  const seeded = await db.prepare('select count(*) as count from users').first<{ count: number }>()
  if (seeded?.count !== count) throw new Error(`Seeded ${seeded?.count} users, not ${count}`)
}
