import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

const BEFORE_RENAME = env.TEST_MIGRATIONS.findIndex((migration) => migration.name.startsWith('0009_'))

describe('migration 0009 (audit_events)', () => {
  it('keeps every event of auth_events, under the new name and with its indexes', async () => {
    const db = env.AUDIT_MIGRATING_DB
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, BEFORE_RENAME))
    const rows = [
      { id: 'e1', created_at: 1, type: 'user_created', subject_user_id: 'u1', actor_user_id: null, org_id: null },
      { id: 'e2', created_at: 2, type: 'org_created', subject_user_id: 'u1', actor_user_id: 'u1', org_id: 'o1' },
      { id: 'e3', created_at: 3, type: 'invitation_created', subject_user_id: null, actor_user_id: 'u1', org_id: 'o1' },
    ]
    await db.batch(
      rows.map((row) =>
        db
          .prepare(
            "insert into auth_events (id, created_at, type, subject_user_id, actor_user_id, ip, user_agent, org_id) values (?, ?, ?, ?, ?, '192.0.2.1', 'agent', ?)",
          )
          .bind(row.id, row.created_at, row.type, row.subject_user_id, row.actor_user_id, row.org_id),
      ),
    )

    await applyD1Migrations(db, env.TEST_MIGRATIONS)
    const { results } = await db
      .prepare('select id, created_at, type, subject_user_id, actor_user_id, org_id from audit_events order by id')
      .all()
    expect(results).toEqual(rows)
    const { results: tables } = await db
      .prepare(
        "select name from sqlite_master where name like 'auth_events%' or name like 'audit_events%' order by name",
      )
      .all()
    expect(tables.map((table) => table.name)).toEqual([
      'audit_events',
      'audit_events_invitations_idx',
      'audit_events_org_idx',
      'audit_events_subject_idx',
      'audit_events_type_idx',
    ])
  })
})
