import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const BEFORE_INVITATIONS = env.TEST_MIGRATIONS.findIndex((migration) => migration.name.startsWith('0006_'))

describe('migration 0006 (invitations)', () => {
  it('marks as accepted the memberships of those who created their organization through the API, and only those', async () => {
    const db = env.MIGRATING_DB
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, BEFORE_INVITATIONS))
    const user = (id: string) =>
      db
        .prepare(
          "insert into users (id, username, username_key, email, password_hash, role, token_version, created_at, updated_at) values (?1, ?1, ?1, ?1 || '@example.com', 'x', 'member', 0, 1, 1)",
        )
        .bind(id)
    const org = (id: string) =>
      db
        .prepare("insert into organizations (id, slug, name, created_at, updated_at) values (?1, ?1, 'Org', 1, 1)")
        .bind(id)
    const member = (orgId: string, userId: string, role: string) =>
      db
        .prepare('insert into memberships (org_id, user_id, role, created_at, updated_at) values (?, ?, ?, 5, 5)')
        .bind(orgId, userId, role)
    const created = (orgId: string, ownerId: string, actorId: string | null) =>
      db
        .prepare(
          "insert into auth_events (id, created_at, type, subject_user_id, actor_user_id, org_id) values (?, 1, 'org_created', ?, ?, ?)",
        )
        .bind(crypto.randomUUID(), ownerId, actorId, orgId)
    await db.batch([
      ...['api-owner', 'cli-owner', 'added'].map(user),
      org('by-api'),
      org('by-cli'),
      member('by-api', 'api-owner', 'owner'),
      member('by-api', 'added', 'member'),
      member('by-cli', 'cli-owner', 'owner'),
      created('by-api', 'api-owner', 'api-owner'),
      created('by-cli', 'cli-owner', null),
    ])

    await applyD1Migrations(db, env.TEST_MIGRATIONS)
    const { results } = await db
      .prepare('select org_id, user_id, accepted_at from memberships order by org_id, user_id')
      .all()
    expect(results).toEqual([
      { org_id: 'by-api', user_id: 'added', accepted_at: null },
      { org_id: 'by-api', user_id: 'api-owner', accepted_at: 5 },
      { org_id: 'by-cli', user_id: 'cli-owner', accepted_at: null },
    ])
  })
})
