import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { eq, inArray } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { refresh, refreshSettings, startFamily } from '../src/auth/refresh-tokens'
import { revokeFamily } from '../src/data/refresh-tokens'
import { refreshFamilies, refreshTokens, users } from '../src/data/schema'
import { runScheduledHandler } from './contract/worker'
import { createUser } from './helpers'

const db = drizzle(env.DB)
const settings = await refreshSettings(env)
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
  await db.batch(family.statements)
  return { userId: id, ...family }
}

const hashesOf = async (familyId: string) =>
  (await db.select({ hash: refreshTokens.hash }).from(refreshTokens).where(eq(refreshTokens.familyId, familyId))).map(
    (row) => row.hash,
  )

describe('the scheduled cleanup of refresh tokens', () => {
  it('deletes tokens past their idle limit, and families an access token lifetime after they expired or were revoked', async () => {
    const now = Date.now()
    // TOKEN_TTL_SECONDS is a day: a family's access tokens have all expired a day after it ended.
    const expiredLongAgo = await loginAgo(now, 30 * DAY + DAY + HOUR)
    const expiredRecently = await loginAgo(now, 30 * DAY + HOUR)
    const revokedLongAgo = await loginAgo(now, 3 * DAY)
    await db.batch([revokeFamily(db, revokedLongAgo, new Date(now - DAY - HOUR))])
    const revokedRecently = await loginAgo(now, 3 * DAY)
    await db.batch([revokeFamily(db, revokedRecently, new Date(now - HOUR))])
    // Refreshed 15 and 3 days ago: the first two tokens are past their idle limit, the third is live.
    const live = await loginAgo(now, 16 * DAY)
    const second = await refresh(db, live.refreshToken, settings, { origin, now: new Date(now - 15 * DAY) })
    if (second.result !== 'rotated') throw new Error(`expected rotated, got ${second.result}`)
    const third = await refresh(db, second.refreshToken, settings, { origin, now: new Date(now - 3 * DAY) })
    if (third.result !== 'rotated') throw new Error(`expected rotated, got ${third.result}`)

    const deleted = await runScheduled(now)
    // `live`'s two rotated tokens and the expired logins' first (past their idle limit), and
    // the first of the family revoked long ago; at least, as test files sharing this database
    // may have left some of their own. Which ones went is checked below.
    expect(deleted.refreshTokens).toBeGreaterThanOrEqual(5)
    expect(deleted.refreshFamilies).toBeGreaterThanOrEqual(2)

    const families = (
      await db
        .select({ id: refreshFamilies.id })
        .from(refreshFamilies)
        .where(
          inArray(
            refreshFamilies.id,
            [expiredLongAgo, expiredRecently, revokedLongAgo, revokedRecently, live].map((login) => login.familyId),
          ),
        )
    ).map((row) => row.id)
    expect(families.sort()).toEqual([expiredRecently.familyId, revokedRecently.familyId, live.familyId].sort())
    expect(await hashesOf(live.familyId)).toHaveLength(1)
    expect(await hashesOf(revokedLongAgo.familyId)).toEqual([])
    expect((await refresh(db, third.refreshToken, settings, { origin })).result).toBe('rotated')
    expect(await refresh(db, second.refreshToken, settings, { origin })).toEqual({
      result: 'invalid',
      reason: 'unknown',
    })
  })
})
