import { env } from 'cloudflare:workers'
import { and, eq, gt, inArray } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { auditEvent } from '../../src/audit/events'
import { auditEvents, invitations, memberships, organizations, users } from '../../src/data/schema'
import { flakyD1, proxyD1 } from '../flaky-d1'
import { type Answer, bearer, client, createUser, headersOf, login, newSession, request, uniqueName } from '../helpers'
import { expire, INVITATION_NOT_FOUND, invited, received } from './invitation-helpers'
import {
  ALREADY_MEMBER,
  changesIn,
  createOrg,
  db,
  emailOf,
  heldD1,
  join,
  orgOwnedBy,
  roleIn,
  stateOf,
  statusCounts,
  uniqueSlug,
} from './org-helpers'

const AT_ONCE = 50

const ALREADY_INVITED = {
  error: 'Already invited',
  code: 'already_invited',
  hint: 'Revoke the pending invitation first to invite with another role, or wait for it to be answered.',
}
const PENDING_LIMIT = {
  error: 'Too many pending invitations',
  code: 'invitation_limit_reached',
  hint: 'Revoke pending invitations, or wait for them to be answered or to expire.',
}
const ORG_LIMIT = {
  error: 'Organization limit reached',
  code: 'org_limit_reached',
  hint: 'Leave an organization first.',
}
const TOO_MANY = { error: 'Too many invitations', code: 'too_many_invitations' }
const INVISIBLE = 'Must not contain control characters, bidirectional overrides or other invisible format characters'

type Options = { body?: unknown; ip?: string; settings?: Partial<Env> }

/** A request as the holder of `token`, from `ip` if given, with some settings replaced if given. */
const call = (method: string, path: string, token: string, { body, ip, settings }: Options = {}) =>
  request(path, { method, token, json: body, headers: ip ? { 'CF-Connecting-IP': ip } : {}, env: settings })

const inviteAs = (token: string, orgId: string, user: string, options: Omit<Options, 'body'> = {}) =>
  call('POST', `/api/orgs/${orgId}/invitations`, token, { ...options, body: { user, role: 'member' } })

const acceptAs = (token: string, id: string, options: Omit<Options, 'body'> = {}) =>
  call('POST', `/api/invitations/${id}/accept`, token, options)

/** A client address per request: IPv4 and IPv6 in turn, each its own. */
const addressOf = (i: number) => (i % 2 ? `198.51.100.${i}` : `2001:db8::${i.toString(16)}`)

/** `count` requests at once, the `i`th made by `request(i)`. */
const atOnce = <T>(count: number, request: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => request(i)))

/** Every answer of `status` among `responses` has exactly `body`. */
async function expectBodies(responses: Response[], status: number, body: unknown) {
  for (const res of responses.filter((answer) => answer.status === status)) expect(await res.json()).toEqual(body)
}

/** The invitations of `orgId` as D1 holds them, expired ones too. */
const rowsOf = (orgId: string) => db.select().from(invitations).where(eq(invitations.orgId, orgId)).all()

/** How many invitations of `orgId` are pending now. */
const pendingIn = (orgId: string) =>
  db.$count(invitations, and(eq(invitations.orgId, orgId), gt(invitations.expiresAt, new Date())))

/** How many events of `type` `orgId` has. */
const eventsIn = async (orgId: string, type: string) => (await changesIn(orgId)).filter((t) => t === type).length

const isMember = async (orgId: string, userId: string) => (await roleIn(orgId, userId)) !== undefined

describe(`${AT_ONCE} accepts of one invitation at once`, () => {
  it.each([
    ['with one token from one address', () => undefined],
    [`from ${AT_ONCE} addresses`, addressOf],
  ])('make one member, %s: one 200, the rest 409 already_member or 404, one event', async (_how, ip) => {
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    const id = await invited(owner.token, org.orgId, invitee.user.username, 'admin')

    const answers = await atOnce(AT_ONCE, (i) => acceptAs(invitee.token, id, { ip: ip(i) }))
    const counts = statusCounts(answers)
    expect(counts[200]).toBe(1)
    expect((counts[409] ?? 0) + (counts[404] ?? 0)).toBe(AT_ONCE - 1)
    await expectBodies(answers, 409, ALREADY_MEMBER)
    await expectBodies(answers, 404, INVITATION_NOT_FOUND)
    const joined = answers.find((res) => res.status === 200)
    expect(await joined?.json()).toEqual({ ...org, role: 'admin' })

    const { members } = await stateOf(org.orgId)
    expect(members.filter((member) => member.userId === invitee.user.id)).toMatchObject([{ role: 'admin' }])
    expect(await changesIn(org.orgId)).toEqual(['invitation_created', 'invitation_accepted'])
    expect(await rowsOf(org.orgId)).toEqual([])
  })
})

describe(`${AT_ONCE} invitations at once`, () => {
  it.each([
    ['a username no account has', () => Promise.resolve(uniqueName('alice'))],
    ['the email of an account', async () => (await createUser()).email],
  ])('of one reference written in any case make one: 49 are told already_invited (%s)', async (_what, reference) => {
    const owner = await newSession()
    const org = await createOrg(owner.token)
    const name = await reference()
    const forms = [name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1), ` ${name} `]

    const answers = await atOnce(AT_ONCE, (i) => inviteAs(owner.token, org.orgId, forms[i % 4], { ip: addressOf(i) }))
    expect(statusCounts(answers)).toEqual({ 201: 1, 409: AT_ONCE - 1 })
    await expectBodies(answers, 409, ALREADY_INVITED)
    expect(await rowsOf(org.orgId)).toMatchObject([{ inviteeKey: name }])
    expect(await changesIn(org.orgId)).toEqual(['invitation_created'])
  })

  it('stop at MAX_PENDING_INVITATIONS; expired ones leave room', async () => {
    const settings = { MAX_PENDING_INVITATIONS: '10' }
    const owner = await newSession()
    const org = await createOrg(owner.token)
    const answers = await atOnce(AT_ONCE, (i) =>
      inviteAs(owner.token, org.orgId, uniqueName(), { ip: addressOf(i), settings }),
    )
    expect(statusCounts(answers)).toEqual({ 201: 10, 409: AT_ONCE - 10 })
    await expectBodies(answers, 409, PENDING_LIMIT)
    const rows = await rowsOf(org.orgId)
    expect(rows).toHaveLength(10)
    expect(await eventsIn(org.orgId, 'invitation_created')).toBe(10)

    await Promise.all(rows.slice(0, 3).map((row) => expire(row.id)))
    const more = await atOnce(5, () => inviteAs(owner.token, org.orgId, uniqueName(), { settings }))
    expect(statusCounts(more)).toEqual({ 201: 3, 409: 2 })
    expect(await pendingIn(org.orgId)).toBe(10)
    expect(await eventsIn(org.orgId, 'invitation_created')).toBe(13)
  })
})

describe('MAX_INVITATIONS_PER_HOUR', () => {
  /** The `invitation_created` events `userId` made, straight from D1. */
  const sentBy = (userId: string) =>
    db.$count(auditEvents, and(eq(auditEvents.actorUserId, userId), eq(auditEvents.type, 'invitation_created')))

  it(`holds for one inviter over two organizations, under ${AT_ONCE} at once; another inviter is unaffected`, async () => {
    const settings = { MAX_INVITATIONS_PER_HOUR: '5' }
    const [inviter, other] = await Promise.all([newSession(), newSession()])
    const orgs = await Promise.all([createOrg(inviter.token), createOrg(inviter.token)])
    await join(orgs[0].orgId, other.user.id, 'admin')

    const answers = await atOnce(AT_ONCE, (i) =>
      inviteAs(inviter.token, orgs[i % 2].orgId, uniqueName(), { ip: addressOf(i), settings }),
    )
    expect(statusCounts(answers)).toEqual({ 201: 5, 429: AT_ONCE - 5 })
    await expectBodies(answers, 429, TOO_MANY)
    for (const res of answers.filter((answer) => answer.status === 429)) {
      const retryAfter = res.headers.get('Retry-After') ?? ''
      expect(retryAfter).toMatch(/^\d+$/)
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
      expect(Number(retryAfter)).toBeLessThanOrEqual(3600)
    }
    expect((await rowsOf(orgs[0].orgId)).length + (await rowsOf(orgs[1].orgId)).length).toBe(5)
    expect(await sentBy(inviter.user.id)).toBe(5)

    expect((await inviteAs(other.token, orgs[0].orgId, uniqueName(), { settings })).status).toBe(201)
    expect((await inviteAs(inviter.token, orgs[0].orgId, uniqueName(), { settings })).status).toBe(429)
  })

  it('counts the last hour only, and Retry-After says when the oldest leaves it', async () => {
    const settings = { MAX_INVITATIONS_PER_HOUR: '5' }
    const [recent, earlier] = await Promise.all([newSession(), newSession()])
    const now = Date.now()
    const sent = (userId: string, minutesAgo: number) =>
      auditEvent(
        'invitation_created',
        null,
        { actorUserId: userId, ip: null, userAgent: null },
        new Date(now - minutesAgo * 60_000),
      )
    // Five each, the oldest 59 minutes ago for one, 61 for the other.
    await db.insert(auditEvents).values([59, 50, 30, 10, 1].map((minutes) => sent(recent.user.id, minutes)))
    await db.insert(auditEvents).values([61, 62, 70, 90, 120].map((minutes) => sent(earlier.user.id, minutes)))

    const refused = await inviteAs(recent.token, (await createOrg(recent.token)).orgId, uniqueName(), { settings })
    expect(refused.status).toBe(429)
    expect(await refused.json()).toEqual(TOO_MANY)
    const retryAfter = Number(refused.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)

    const taken = await inviteAs(earlier.token, (await createOrg(earlier.token)).orgId, uniqueName(), { settings })
    expect(taken.status).toBe(201)
  })
})

describe('MAX_ORGS_PER_USER', () => {
  const orgsOf = (userId: string) => db.$count(memberships, eq(memberships.userId, userId))

  it(`lets ${AT_ONCE} creations at once make only as many organizations as the cap; nothing written for the rest`, async () => {
    const settings = { MAX_ORGS_PER_USER: '3' }
    const creator = await newSession()
    const slugs = Array.from({ length: AT_ONCE }, () => uniqueSlug())
    const answers = await atOnce(AT_ONCE, (i) =>
      call('POST', '/api/orgs', creator.token, { body: { slug: slugs[i], name: 'Acme' }, ip: addressOf(i), settings }),
    )
    expect(statusCounts(answers)).toEqual({ 201: 3, 409: AT_ONCE - 3 })
    await expectBodies(answers, 409, ORG_LIMIT)
    const refusedSlugs = slugs.filter((_, i) => answers[i].status === 409)
    expect(await db.$count(organizations, inArray(organizations.slug, refusedSlugs))).toBe(0)
    expect(await orgsOf(creator.user.id)).toBe(3)
    const created = and(eq(auditEvents.actorUserId, creator.user.id), eq(auditEvents.type, 'org_created'))
    expect(await db.$count(auditEvents, created)).toBe(3)
  })

  it('refuses an acceptance past the cap, leaving the invitation pending: taken once the cap is raised or an org left', async () => {
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    await createOrg(invitee.token)
    const first = await createOrg(owner.token)
    const second = await createOrg(owner.token)
    const firstId = await invited(owner.token, first.orgId, invitee.user.username)
    const secondId = await invited(owner.token, second.orgId, invitee.user.email)

    const refused = await acceptAs(invitee.token, firstId, { settings: { MAX_ORGS_PER_USER: '1' } })
    expect(refused.status).toBe(409)
    expect(await refused.json()).toEqual(ORG_LIMIT)
    expect(await isMember(first.orgId, invitee.user.id)).toBe(false)
    expect(await changesIn(first.orgId)).toEqual(['invitation_created'])
    expect((await received(invitee.token)).map((invitation) => invitation.invitationId)).toEqual([firstId, secondId])

    expect((await acceptAs(invitee.token, firstId, { settings: { MAX_ORGS_PER_USER: '2' } })).status).toBe(200)
    const settings = { MAX_ORGS_PER_USER: '2' }
    expect((await acceptAs(invitee.token, secondId, { settings })).status).toBe(409)
    const left = await client.api.orgs[':orgId'].members[':userId'].$delete(
      { param: { orgId: first.orgId, userId: invitee.user.id } },
      bearer(invitee.token),
    )
    expect(left.status).toBe(204)
    expect((await acceptAs(invitee.token, secondId, { settings })).status).toBe(200)
    expect(await orgsOf(invitee.user.id)).toBe(2)
  })

  it(`lets ${AT_ONCE} accepts of ${AT_ONCE} invitations at once join only as many organizations as the cap`, async () => {
    const settings = { MAX_ORGS_PER_USER: '5' }
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    const orgs = await atOnce(AT_ONCE, () => orgOwnedBy(owner.user.id))
    const ids = await Promise.all(orgs.map((org) => invited(owner.token, org.orgId, invitee.user.username)))

    const answers = await Promise.all(ids.map((id, i) => acceptAs(invitee.token, id, { ip: addressOf(i), settings })))
    expect(statusCounts(answers)).toEqual({ 200: 5, 409: AT_ONCE - 5 })
    await expectBodies(answers, 409, ORG_LIMIT)
    expect(await orgsOf(invitee.user.id)).toBe(5)
    const accepted = and(eq(auditEvents.subjectUserId, invitee.user.id), eq(auditEvents.type, 'invitation_accepted'))
    expect(await db.$count(auditEvents, accepted)).toBe(5)
    expect(await db.$count(invitations, eq(invitations.inviteeUserId, invitee.user.id))).toBe(AT_ONCE - 5)
  })
})

describe('an invitation whose write waits while its inviter is deleted', () => {
  // As `POST /api/orgs` since ab61870: the account's token no longer holds, and nothing is written.
  it('is refused with 401 invalid_token, not a 500 from the foreign key, and writes nothing', async () => {
    const [owner, admin] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    await join(org.orgId, admin.user.id, 'admin')

    const held = heldD1(env.DB)
    const inviting = inviteAs(admin.token, org.orgId, uniqueName(), { settings: { DB: held.binding } })
    await held.writing
    await db.delete(users).where(eq(users.id, admin.user.id))
    held.release()

    const res = await inviting
    expect(await res.json()).toMatchObject({ code: 'invalid_token' })
    expect(res.status).toBe(401)
    expect(await rowsOf(org.orgId)).toEqual([])
    expect(await changesIn(org.orgId)).toEqual([])
  })
})

describe('an accept whose write waits while the invitation changes', () => {
  type Scene = { orgId: string; id: string; owner: string; invitee: string }
  const meanwhile: [string, (scene: Scene) => Promise<Answer | undefined>][] = [
    [
      'revoked',
      ({ orgId, id, owner }) =>
        client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
          { param: { orgId, invitationId: id } },
          bearer(owner),
        ),
    ],
    [
      'declined by the invitee',
      ({ id, invitee }) =>
        client.api.invitations[':invitationId'].decline.$post({ param: { invitationId: id } }, bearer(invitee)),
    ],
    [
      'expired',
      // An hour back, not `expire`'s second: before the accept's own `now` however long the hold.
      async ({ id }) => {
        await db
          .update(invitations)
          .set({ expiresAt: new Date(Date.now() - 3_600_000) })
          .where(eq(invitations.id, id))
        return undefined
      },
    ],
    [
      'deleted with its organization',
      ({ orgId, owner }) => client.api.orgs[':orgId'].$delete({ param: { orgId } }, bearer(owner)),
    ],
  ]

  it.each(meanwhile)('answers 404 and writes nothing when it is %s meanwhile', async (_what, change) => {
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    const id = await invited(owner.token, org.orgId, invitee.user.username)

    const held = heldD1(env.DB)
    const accepting = acceptAs(invitee.token, id, { settings: { DB: held.binding } })
    await held.writing
    const changed = await change({ orgId: org.orgId, id, owner: owner.token, invitee: invitee.token })
    expect(changed?.status ?? 204).toBe(204)
    held.release()

    const res = await accepting
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(INVITATION_NOT_FOUND)
    expect(await isMember(org.orgId, invitee.user.id)).toBe(false)
    expect(await changesIn(org.orgId)).not.toContain('invitation_accepted')
  })

  it('makes a revoke held meanwhile answer 404, leaving the new member in', async () => {
    const [owner, invitee] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    const id = await invited(owner.token, org.orgId, invitee.user.username)

    const held = heldD1(env.DB)
    const revoking = call('DELETE', `/api/orgs/${org.orgId}/invitations/${id}`, owner.token, {
      settings: { DB: held.binding },
    })
    await held.writing
    expect((await acceptAs(invitee.token, id)).status).toBe(200)
    held.release()

    expect(await (await revoking).json()).toEqual(INVITATION_NOT_FOUND)
    expect(await roleIn(org.orgId, invitee.user.id)).toBe('member')
    expect(await changesIn(org.orgId)).toEqual(['invitation_created', 'invitation_accepted'])
  })
})

describe('inputs', () => {
  const invalid = (field: string) => ({
    error: 'Invalid request',
    code: 'validation_error',
    details: [{ path: field, message: expect.any(String) }],
  })

  it('take a user reference of 254 characters, which its account then accepts; 255 are refused', async () => {
    const owner = await newSession()
    const email = emailOf(254)
    expect(email).toHaveLength(254)
    const user = await createUser({ email })
    const org = await createOrg(owner.token)
    const res = await inviteAs(owner.token, org.orgId, email.toUpperCase())
    expect(res.status).toBe(201)
    const { invitationId, user: echoed } = (await res.json()) as { invitationId: string; user: string }
    expect(echoed).toBe(email.toUpperCase())
    const { token } = await login(user.username)
    expect((await acceptAs(token, invitationId)).status).toBe(200)

    const longer = emailOf(255)
    const refused = await inviteAs(owner.token, org.orgId, longer)
    expect(refused.status).toBe(400)
    expect(await refused.json()).toEqual(invalid('user'))
    expect(await db.$count(invitations, eq(invitations.inviteeKey, longer))).toBe(0)
  })

  it('take a name of 100 characters with an emoji, on creation and on change', async () => {
    const owner = await newSession()
    const name = `${'N'.repeat(99)}🏢`
    expect([...name]).toHaveLength(100)
    const org = await createOrg(owner.token, { slug: uniqueSlug(), name })
    expect(org.name).toBe(name)
    const other = `🏢${'M'.repeat(99)}`
    const res = await client.api.orgs[':orgId'].$patch(
      { param: { orgId: org.orgId }, json: { name: other } },
      bearer(owner.token),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ name: other })
    // Characters, not UTF-16 units: one more is refused, as the document says.
    const over = await request(`/api/orgs/${org.orgId}`, {
      method: 'PATCH',
      token: owner.token,
      json: { name: `${other}🏢` },
    })
    expect(over.status).toBe(400)
    expect(await over.json()).toEqual(invalid('name'))
  })

  it.each([
    ['NUL', '\u0000'],
    ['a right-to-left override (U+202E)', '\u202e'],
    ['a zero-width space (U+200B)', '\u200b'],
    ['a byte order mark (U+FEFF)', '\ufeff'],
    ['a line separator (U+2028)', '\u2028'],
    ['a tab', '\t'],
    ['a newline', '\n'],
  ])(
    'refuse %s inside or at the end of a name or a user reference, with 400 saying so and nothing written',
    async (_what, char) => {
      const owner = await newSession()
      const org = await createOrg(owner.token)
      const before = await stateOf(org.orgId)
      const refusal = (field: string) => ({
        error: 'Invalid request',
        code: 'validation_error',
        details: expect.arrayContaining([{ path: field, message: INVISIBLE }]),
      })
      for (const [name, user] of [
        [`Ac${char}me`, `ali${char}ce-${uniqueName()}`],
        [`Acme${char}`, `${uniqueName()}@example.com${char}`],
      ]) {
        const slug = uniqueSlug()
        const attempts = [
          ['name', await call('POST', '/api/orgs', owner.token, { body: { slug, name } })],
          ['name', await call('PATCH', `/api/orgs/${org.orgId}`, owner.token, { body: { name } })],
          ['user', await inviteAs(owner.token, org.orgId, user)],
        ] as const
        for (const [field, res] of attempts) {
          expect(res.status).toBe(400)
          const body = (await res.json()) as { details: { path: string }[] }
          expect(body).toEqual(refusal(field))
          expect(body.details.every((detail) => detail.path === field)).toBe(true)
        }
        expect(await db.$count(organizations, eq(organizations.slug, slug))).toBe(0)
      }
      expect(await stateOf(org.orgId)).toEqual(before)
      expect(await rowsOf(org.orgId)).toEqual([])
    },
  )
})

describe('whether an account exists or is a member', () => {
  /** One request through a D1 that records what it runs: each read, and each statement prepared (a batch's too). */
  async function recorded(token: string, orgId: string, user: string) {
    const counted = flakyD1(env.DB, { failures: 0 })
    const prepared: string[] = []
    const binding = proxyD1(counted.binding, {
      get(target, property) {
        if (property !== 'prepare') return target.batch.bind(target)
        return (sql: string) => {
          prepared.push(sql)
          return target.prepare(sql)
        }
      },
    })
    const res = await inviteAs(token, orgId, user, { settings: { DB: binding } })
    const body = (await res.json()) as Record<string, unknown>
    expect(body.user).toBe(user)
    return {
      status: res.status,
      headers: headersOf(res),
      // What differs by design: the id and times of each invitation, and the reference echoed.
      body: { ...body, invitationId: 'id', user: 'echoed', createdAt: 'time', expiresAt: 'time' },
      executions: counted.executions,
      prepared,
    }
  }

  it('is not told by an invitation: same status, body, headers and D1 work', async () => {
    const owner = await newSession()
    const org = await createOrg(owner.token)
    const [account, member] = await Promise.all([createUser(), createUser()])
    await join(org.orgId, member.id, 'member')
    const answers = []
    for (const user of [
      account.username,
      uniqueName('nobody'),
      account.email,
      `${uniqueName('nobody')}@example.com`,
      member.username,
      member.email.toUpperCase(),
    ]) {
      answers.push(await recorded(owner.token, org.orgId, user))
    }
    expect(answers[0].status).toBe(201)
    expect(answers[0].executions).toContain('batch')
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0])
  })
})

describe('an invitation to a member', () => {
  it('is answered 201 like any other; accepted, it is told already_member, changes no role and is consumed', async () => {
    const [owner, member] = await Promise.all([newSession(), newSession()])
    const org = await createOrg(owner.token)
    await join(org.orgId, member.user.id, 'member')
    const id = await invited(owner.token, org.orgId, member.user.username, 'owner')
    expect((await received(member.token)).map((invitation) => invitation.invitationId)).toEqual([id])

    const res = await acceptAs(member.token, id)
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual(ALREADY_MEMBER)
    expect(await roleIn(org.orgId, member.user.id)).toBe('member')
    expect(await received(member.token)).toEqual([])
    expect(await rowsOf(org.orgId)).toEqual([])
    expect(await changesIn(org.orgId)).toEqual(['invitation_created'])
  })
})

describe('an invitation id used elsewhere', () => {
  it("is not revoked through another organization's path, nor listed there", async () => {
    const [a, b, globalAdmin, invitee] = await Promise.all([
      newSession(),
      newSession(),
      newSession('admin'),
      newSession(),
    ])
    const [orgA, orgB] = await Promise.all([createOrg(a.token), createOrg(b.token)])
    const id = await invited(a.token, orgA.orgId, invitee.user.username)
    await invited(b.token, orgB.orgId, uniqueName())

    for (const token of [b.token, globalAdmin.token]) {
      const res = await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
        { param: { orgId: orgB.orgId, invitationId: id } },
        bearer(token),
      )
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual(INVITATION_NOT_FOUND)
    }
    expect(
      (
        await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
          { param: { orgId: orgA.orgId, invitationId: id } },
          bearer(b.token),
        )
      ).status,
    ).toBe(404)
    const listed = async (token: string, orgId: string) => {
      const res = await client.api.orgs[':orgId'].invitations.$get({ param: { orgId }, query: {} }, bearer(token))
      return ((await res.json()) as { invitations: { invitationId: string }[] }).invitations.map((i) => i.invitationId)
    }
    expect(await listed(a.token, orgA.orgId)).toEqual([id])
    expect(await listed(b.token, orgB.orgId)).not.toContain(id)
    expect((await received(invitee.token)).map((invitation) => invitation.invitationId)).toEqual([id])
    expect(await changesIn(orgA.orgId)).toEqual(['invitation_created'])

    expect(
      (
        await client.api.orgs[':orgId'].invitations[':invitationId'].$delete(
          { param: { orgId: orgA.orgId, invitationId: id } },
          bearer(a.token),
        )
      ).status,
    ).toBe(204)
  })

  it("never shows one account another's invitations", async () => {
    const [owner, x, y] = await Promise.all([newSession(), newSession(), newSession()])
    const orgs = await Promise.all([createOrg(owner.token), createOrg(owner.token)])
    const forX: string[] = []
    const forY: string[] = []
    for (const org of orgs) {
      forX.push(await invited(owner.token, org.orgId, x.user.username))
      forY.push(await invited(owner.token, org.orgId, y.user.email))
    }
    expect((await received(x.token)).map((invitation) => invitation.invitationId)).toEqual(forX)
    expect((await received(y.token)).map((invitation) => invitation.invitationId)).toEqual(forY)
  })
})
