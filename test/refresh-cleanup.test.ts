import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq, inArray } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { refresh, startFamily } from '../src/auth/refresh-tokens'
import { batchByName } from '../src/data/client'
import { revokeFamily } from '../src/data/refresh-tokens'
import { refreshFamilies, users } from '../src/data/schema'
import { settingsOf } from '../src/settings'
import { runScheduledHandler } from './contract/worker'
import { createUser } from './helpers'

const db = drizzle(env.DB)
const settings = (await settingsOf(env)).refresh
const origin = { actorUserId: null, ip: null, userAgent: null }
const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Runs the Cron Trigger's handler as Cloudflare would at `time`; resolves what it deleted. */
async function runScheduled(time: number) {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  await runScheduledHandler(createScheduledController({ scheduledTime: new Date(time), cron: '23 * * * *' }))
  const [line] = log.mock.calls.map(([text]) => JSON.parse(String(text)))
  log.mockRestore()
  return line.deleted
}

/** A login `ago` milliseconds before `now`: its family id and first token. */
async function loginAgo(now: number, ago: number) {
  const { id } = await createUser()
  const user = await db.select().from(users).where(eq(users.id, id)).get()
  if (!user) throw new Error('user not written')
  const family = await startFamily(db, user, settings, new Date(now - ago))
  await batchByName(db, family.statements)
  return { userId: id, ...family }
}

/** The successor `token` rotates to at `time`; fails the test on any other answer. */
async function rotatedAt(token: string, time: number) {
  const next = await refresh(db, token, settings, { origin, now: new Date(time) })
  if (next.result !== 'rotated') throw new Error(`expected rotated, got ${next.result}`)
  return next.refreshToken
}

describe('the scheduled cleanup of refresh tokens', () => {
  it('deletes families an access token lifetime after they went idle, expired or were revoked, and nothing else', async () => {
    const now = Date.now()
    // TOKEN_TTL_SECONDS is a day: a family's access tokens have all expired a day after it ended.
    const idleLongAgo = await loginAgo(now, 16 * DAY)
    const idleRecently = await loginAgo(now, 14 * DAY + HOUR)
    // Refreshed 13 and 26 days in: their idle limit is cut to the absolute one.
    const expiredLongAgo = await loginAgo(now, 30 * DAY + DAY + HOUR)
    await rotatedAt(await rotatedAt(expiredLongAgo.refreshToken, now - 18 * DAY - HOUR), now - 5 * DAY - HOUR)
    const expiredRecently = await loginAgo(now, 30 * DAY + HOUR)
    await rotatedAt(await rotatedAt(expiredRecently.refreshToken, now - 17 * DAY - HOUR), now - 4 * DAY - HOUR)
    const revokedLongAgo = await loginAgo(now, 3 * DAY)
    await db.batch([revokeFamily(db, revokedLongAgo, new Date(now - DAY - HOUR))])
    const revokedRecently = await loginAgo(now, 3 * DAY)
    await db.batch([revokeFamily(db, revokedRecently, new Date(now - HOUR))])
    // Refreshed 15 and 3 days ago: the tokens it superseded went idle long ago, the family is live.
    const live = await loginAgo(now, 16 * DAY)
    const second = await rotatedAt(live.refreshToken, now - 15 * DAY)
    const third = await rotatedAt(second, now - 3 * DAY)

    const deleted = await runScheduled(now)
    // At least: test files sharing this database may have left some of their own. Which ones
    // went is checked below.
    expect(deleted.refreshFamilies).toBeGreaterThanOrEqual(3)
    expect(deleted).not.toHaveProperty('refreshTokens')

    const ours = [idleLongAgo, idleRecently, expiredLongAgo, expiredRecently, revokedLongAgo, revokedRecently, live]
    const families = (
      await db
        .select({ id: refreshFamilies.id })
        .from(refreshFamilies)
        .where(
          inArray(
            refreshFamilies.id,
            ours.map((login) => login.familyId),
          ),
        )
    ).map((row) => row.id)
    expect(families.sort()).toEqual(
      [idleRecently, expiredRecently, revokedRecently, live].map((login) => login.familyId).sort(),
    )
    expect((await refresh(db, third, settings, { origin })).result).toBe('rotated')
    // Kept with its family, a superseded token is still known for what it is: a replay.
    expect((await refresh(db, second, settings, { origin })).result).toBe('reused')
  })
})
