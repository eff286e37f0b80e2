import { createScheduledController } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { and, eq, gt, inArray, lt } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it, vi } from 'vitest'
import { auditEvent } from '../src/audit/events'
import {
  auditEvents,
  invitations,
  loginThrottles,
  memberships,
  revokedTokens,
  trustedDevices,
} from '../src/data/schema'
import { runScheduledHandler } from './contract/worker'
import { createUser, newSession } from './helpers'
import { expire, invited, received } from './orgs/invitation-helpers'
import { changesIn, createOrg } from './orgs/org-helpers'

const db = drizzle(env.DB)
const DAY = 86_400_000

/** Runs the Cron Trigger's handler as Cloudflare would at `time`; resolves what it logged. */
async function runScheduled(time: number, overrides: Partial<Env> = {}) {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {})
  const controller = createScheduledController({ scheduledTime: new Date(time), cron: '23 * * * *' })
  await runScheduledHandler(controller, overrides)
  const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)))
  log.mockRestore()
  return lines
}

const counter = (key: string, expiresAt: number, blockedUntil = 0) => ({
  key,
  attempts: 1,
  lastAttemptAt: expiresAt - 900,
  blockedUntil,
  nextCleanAttemptAt: 0,
  expiresAt,
})

describe('the scheduled cleanup', () => {
  it('deletes drained counters, revoked tokens past exp and audit events past retention, and nothing else', async () => {
    const now = Date.now()
    const seconds = Math.floor(now / 1000)
    const user = await createUser()
    const tag = crypto.randomUUID()
    await db
      .insert(loginThrottles)
      .values([
        counter(`ip:drained-${tag}`, seconds - 1),
        counter(`ip:live-${tag}`, seconds + 600),
        counter(`ip:blocked-${tag}`, seconds + 3600, seconds + 3000),
      ])
    await db.insert(revokedTokens).values([
      { jti: `expired-${tag}`, userId: user.id, expiresAt: seconds - 1 },
      { jti: `live-${tag}`, userId: user.id, expiresAt: seconds + 3600 },
    ])
    const origin = { actorUserId: null, ip: null, userAgent: null }
    const old = auditEvent('login_failed', user.id, origin, new Date(now - 91 * DAY))
    const recent = auditEvent('login_failed', user.id, origin, new Date(now - 89 * DAY))
    await db.insert(auditEvents).values([old, recent])

    const [line] = await runScheduled(now)
    expect(line).toMatchObject({ event: 'cleanup', cron: '23 * * * *' })
    // At least: test files sharing this database may have left expired rows of their own.
    for (const table of ['loginThrottles', 'revokedTokens', 'auditEvents']) {
      expect(line.deleted[table]).toBeGreaterThanOrEqual(1)
    }

    const keys = (await db.select({ key: loginThrottles.key }).from(loginThrottles)).map((row) => row.key)
    expect(keys).toEqual(expect.arrayContaining([`ip:live-${tag}`, `ip:blocked-${tag}`]))
    expect(keys).not.toContain(`ip:drained-${tag}`)
    const jtis = (await db.select({ jti: revokedTokens.jti }).from(revokedTokens)).map((row) => row.jti)
    expect(jtis).toContain(`live-${tag}`)
    expect(jtis).not.toContain(`expired-${tag}`)
    const ids = (
      await db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(inArray(auditEvents.id, [old.id, recent.id]))
    ).map((row) => row.id)
    expect(ids).toEqual([recent.id])
  })

  it('keeps audit events for AUDIT_RETENTION_DAYS', async () => {
    const now = Date.now()
    const user = await createUser()
    const event = auditEvent(
      'logout',
      user.id,
      { actorUserId: user.id, ip: null, userAgent: null },
      new Date(now - 10 * DAY),
    )
    await db.insert(auditEvents).values(event)
    await runScheduled(now, { AUDIT_RETENTION_DAYS: '30' })
    expect(await db.$count(auditEvents, inArray(auditEvents.id, [event.id]))).toBe(1)
    await runScheduled(now, { AUDIT_RETENTION_DAYS: '7' })
    expect(await db.$count(auditEvents, inArray(auditEvents.id, [event.id]))).toBe(0)
  })

  it('deletes in chunks until nothing expired is left', async () => {
    const seconds = Math.floor(Date.now() / 1000)
    const tag = crypto.randomUUID()
    // 12,000 drained counters in one statement: more than two chunks' worth.
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < 12000)
       insert into login_throttles select 'account:bulk-' || ?1 || '-' || i, 1, ?2 - 900, 0, 0, ?2 from n`,
    )
      .bind(tag, seconds - 1)
      .run()
    const [line] = await runScheduled(Date.now())
    expect(line.deleted.loginThrottles).toBeGreaterThanOrEqual(12_000)
    // This test's counters: keys after the prefix and before it followed by `~`, above every digit.
    const prefix = `account:bulk-${tag}-`
    expect(
      await db.$count(loginThrottles, and(gt(loginThrottles.key, prefix), lt(loginThrottles.key, `${prefix}~`))),
    ).toBe(0)
  })
})

describe('the scheduled cleanup of invitations and device tokens', () => {
  it('deletes expired invitations, and leaves pending ones, their organization and its events alone', async () => {
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    const expired = [
      await invited(owner.token, org.orgId, invitee.user.username),
      await invited(owner.token, org.orgId, `${crypto.randomUUID()}@example.com`),
    ]
    const pending = [
      await invited(owner.token, org.orgId, invitee.user.email),
      await invited(owner.token, org.orgId, `${crypto.randomUUID()}@example.com`),
    ]
    await Promise.all(expired.map((id) => expire(id)))
    const events = await changesIn(org.orgId)

    const [line] = await runScheduled(Date.now())
    // At least: test files sharing this database may have left expired invitations of their own.
    expect(line.deleted.invitations).toBeGreaterThanOrEqual(expired.length)
    const left = await db
      .select({ id: invitations.id })
      .from(invitations)
      .where(eq(invitations.orgId, org.orgId))
      .orderBy(invitations.id)
    expect(left.map((row) => row.id)).toEqual(pending)
    expect((await received(invitee.token)).map((invitation) => invitation.invitationId)).toEqual([pending[0]])
    expect(await db.$count(memberships, eq(memberships.orgId, org.orgId))).toBe(1)
    expect(await changesIn(org.orgId)).toEqual(events)
  })

  it('deletes device tokens expired or spent, and leaves trusted ones alone', async () => {
    const user = await createUser()
    const now = Date.now()
    const device = (hash: string, expiresAt: number) => ({
      hash,
      userId: user.id,
      tokenVersion: 0,
      createdAt: new Date(now - DAY),
      expiresAt: new Date(expiresAt),
    })
    // A spent device's expiry is the moment it was spent.
    await db
      .insert(trustedDevices)
      .values([
        device(`expired-${user.id}`, now - DAY),
        device(`spent-${user.id}`, now - 1),
        device(`kept-${user.id}`, now + DAY),
      ])

    const [line] = await runScheduled(now)
    expect(line.deleted.trustedDevices).toBeGreaterThanOrEqual(2)
    const left = await db
      .select({ hash: trustedDevices.hash })
      .from(trustedDevices)
      .where(eq(trustedDevices.userId, user.id))
    expect(left).toEqual([{ hash: `kept-${user.id}` }])
  })
})
