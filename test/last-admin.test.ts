import { env } from 'cloudflare:workers'
import { and, count, eq, isNull } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { beforeEach, describe, expect, it } from 'vitest'
import { users } from '../src/data/schema'
import { bearer, client, eventsAbout, newSession } from './helpers'

const db = drizzle(env.DB)

const activeAdmins = async () =>
  (
    await db
      .select({ n: count() })
      .from(users)
      .where(and(eq(users.role, 'admin'), isNull(users.disabledAt)))
      .get()
  )?.n

// Each test sets up the admins it needs: earlier tests in this file leave theirs behind.
beforeEach(async () => {
  await db.update(users).set({ role: 'member' }).where(eq(users.role, 'admin'))
})

const LAST_ADMIN = { error: 'Cannot remove the last admin', code: 'last_admin' }

describe('the last active admin', () => {
  it.each([
    [
      'demoted',
      (id: string, token: string) =>
        client.api.users[':id'].$patch({ param: { id }, json: { role: 'member' } }, bearer(token)),
    ],
    [
      'disabled',
      (id: string, token: string) =>
        client.api.users[':id'].$patch({ param: { id }, json: { disabled: true } }, bearer(token)),
    ],
    ['deleted', (id: string, token: string) => client.api.users[':id'].$delete({ param: { id } }, bearer(token))],
  ])('cannot be %s, and no event says otherwise', async (_name, change) => {
    const { user, token } = await newSession('admin')
    const res = await change(user.id, token)
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual(LAST_ADMIN)
    expect(await activeAdmins()).toBe(1)
    expect((await eventsAbout(user.id)).map((e) => e.type)).toEqual(['login_succeeded'])
  })

  it('can be demoted once another admin exists', async () => {
    const { user, token } = await newSession('admin')
    await newSession('admin')
    expect(
      (await client.api.users[':id'].$patch({ param: { id: user.id }, json: { role: 'member' } }, bearer(token)))
        .status,
    ).toBe(200)
    expect(await activeAdmins()).toBe(1)
  })

  it('is the last even when disabled admins remain', async () => {
    const { user, token } = await newSession('admin')
    const { user: other } = await newSession('admin')
    expect(
      (await client.api.users[':id'].$patch({ param: { id: other.id }, json: { disabled: true } }, bearer(token)))
        .status,
    ).toBe(200)
    expect(
      (await client.api.users[':id'].$patch({ param: { id: user.id }, json: { role: 'member' } }, bearer(token)))
        .status,
    ).toBe(409)
  })

  it('survives two admins demoting each other at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      await db.update(users).set({ role: 'member' }).where(eq(users.role, 'admin'))
      const [a, b] = [await newSession('admin'), await newSession('admin')]
      const answers = await Promise.all([
        client.api.users[':id'].$patch({ param: { id: b.user.id }, json: { role: 'member' } }, bearer(a.token)),
        client.api.users[':id'].$patch({ param: { id: a.user.id }, json: { role: 'member' } }, bearer(b.token)),
      ])
      const statuses = answers.map((res) => res.status).sort()
      // One wins; the loser is refused as the last admin, or is no longer an admin by the time it is checked.
      expect(statuses[0]).toBe(200)
      expect([403, 409]).toContain(statuses[1])
      expect(await activeAdmins()).toBe(1)
    }
  })
})
