import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const BEFORE_BOUNDED = env.TEST_MIGRATIONS.findIndex((migration) => migration.name.startsWith('0008_'))

describe('migration 0008 (refresh families bounded)', () => {
  it('keeps every family and its revocation, idle until its absolute limit, and drops the token rows', async () => {
    const db = env.REFRESH_MIGRATING_DB
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, BEFORE_BOUNDED))
    const family = (id: string, revokedAt: number | null) =>
      db
        .prepare(
          "insert into refresh_families (id, user_id, token_version, created_at, expires_at, revoked_at) values (?, 'u', 0, 1000, 9000, ?)",
        )
        .bind(id, revokedAt)
    await db.batch([
      db.prepare(
        "insert into users (id, username, username_key, email, password_hash, role, token_version, created_at, updated_at) values ('u', 'u', 'u', 'u@example.com', 'x', 'member', 0, 1, 1)",
      ),
      family('live', null),
      family('revoked', 5000),
      db.prepare(
        "insert into refresh_tokens (hash, family_id, parent_hash, created_at, idle_expires_at, rotated_at) values ('h', 'live', null, 1000, 2000, null)",
      ),
    ])

    await applyD1Migrations(db, env.TEST_MIGRATIONS)
    const { results } = await db
      .prepare(
        'select id, revoked_at, generation, idle_expires_at, rotated_at, budget_full_at, limited_at from refresh_families order by id',
      )
      .all()
    const kept = { generation: 0, idle_expires_at: 9000, rotated_at: null, budget_full_at: 0, limited_at: null }
    expect(results).toEqual([
      { id: 'live', revoked_at: null, ...kept },
      { id: 'revoked', revoked_at: 5000, ...kept },
    ])
    const tables = await db
      .prepare("select name from sqlite_master where type = 'table' and name like 'refresh%'")
      .all()
    expect(tables.results).toEqual([{ name: 'refresh_families' }])
  })
})
