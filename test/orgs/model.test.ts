import { env } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { describe, expect, it } from 'vitest'
import { orgEvent } from '../../src/audit/events'
import { insertEvents, listEvents, recordIfChanged } from '../../src/data/audit-events'
import { batchByName } from '../../src/data/client'
import {
  addMember,
  findMembership,
  findOrganizationsOwnedAlone,
  listMembers,
  removeMember,
  setMemberRole,
} from '../../src/data/memberships'
import {
  createOrganization,
  deleteOrganization,
  findAccountInOrg,
  findOrganization,
  listOrganizations,
  orgConflict,
  selectOrganizationBySlug,
} from '../../src/data/organizations'
import { memberships, type OrgRole, type Role, revokedTokens } from '../../src/data/schema'
import { deleteUser, findUserByReference } from '../../src/data/users'
import {
  type MemberChange,
  memberChangeAccess,
  memberChangeEvents,
  ownersProtected,
} from '../../src/orgs/member-changes'
import { buildOrganization, planOrganizationChange, slugSchema } from '../../src/orgs/organization'
import {
  type OrgAccess,
  type OrgAction,
  orgAccess,
  orgActions,
  seesEmailOf,
  seesOriginOf,
} from '../../src/orgs/permissions'
import { UpdateOrganizationSchema } from '../../src/routes/orgs/schemas'
import { flakyD1 } from '../flaky-d1'
import { createUser, uniqueName } from '../helpers'

type Caller = 'owner' | 'admin' | 'member' | 'outsider' | 'global admin'

const callerOf = (who: Caller, orgExists = true) => ({
  globalRole: (who === 'global admin' ? 'admin' : 'member') as Role,
  orgExists,
  orgRole: (who === 'outsider' || who === 'global admin' ? null : who) as OrgRole | null,
  userId: 'caller',
})

const MATRIX: [OrgAction, Record<Caller, OrgAccess>][] = [
  ['view', { owner: 'allowed', admin: 'allowed', member: 'allowed', outsider: 'hidden', 'global admin': 'allowed' }],
  [
    'view_members',
    { owner: 'allowed', admin: 'allowed', member: 'allowed', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'update',
    { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'manage_members',
    { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'add_members',
    { owner: 'forbidden', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'view_audit',
    { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'delete',
    { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'manage_api_keys',
    { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
]

const CALLERS: Caller[] = ['owner', 'admin', 'member', 'outsider', 'global admin']

describe('orgAccess', () => {
  it.each(MATRIX.flatMap(([action, row]) => CALLERS.map((who) => [action, who, row[who]] as const)))(
    '%s by %s: %s',
    (action, who, expected) => {
      expect(orgAccess(callerOf(who), action)).toBe(expected)
    },
  )

  it.each(CALLERS)('hides an organization that does not exist from %s, as from an outsider', (who) => {
    expect(orgAccess(callerOf(who, false), 'view')).toBe('hidden')
  })

  it('has a row above for every action', () => {
    expect(MATRIX.map(([action]) => action).sort()).toEqual([...orgActions].sort())
  })
})

describe('what a reader of members and audit events is shown of others', () => {
  const accepted = { id: 'someone else', acceptedAt: new Date() }
  const added = { id: 'someone else', acceptedAt: null }

  it.each([
    ['owner', true, false],
    ['admin', true, false],
    ['member', false, false],
    ['global admin', true, true],
  ] as const)('%s: the email of one who accepted %s, of one an operator added %s', (who, ofAccepted, ofAdded) => {
    expect(seesEmailOf(callerOf(who), accepted)).toBe(ofAccepted)
    expect(seesEmailOf(callerOf(who), added)).toBe(ofAdded)
  })

  it.each(['owner', 'admin', 'member'] as const)('%s: their own email, even added by an operator', (who) => {
    expect(seesEmailOf(callerOf(who), { id: 'caller', acceptedAt: null })).toBe(true)
  })

  it.each([
    ['owner', false],
    ['admin', false],
    ['global admin', true],
  ] as const)("%s: the IP and user agent of another's or the CLI's event %s, of their own always", (who, others) => {
    expect(seesOriginOf(callerOf(who), { actorUserId: 'someone else' })).toBe(others)
    expect(seesOriginOf(callerOf(who), { actorUserId: null })).toBe(others)
    expect(seesOriginOf(callerOf(who), { actorUserId: 'caller' })).toBe(true)
  })
})

describe('memberChangeAccess', () => {
  const CHANGES: [string, MemberChange, Record<Caller, OrgAccess>][] = [
    [
      'add a member',
      { kind: 'add', role: 'member' },
      { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'add an owner',
      { kind: 'add', role: 'owner' },
      { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'make a member an admin',
      { kind: 'set_role', from: 'member', role: 'admin' },
      { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'make an admin an owner',
      { kind: 'set_role', from: 'admin', role: 'owner' },
      { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'demote an owner',
      { kind: 'set_role', from: 'owner', role: 'member' },
      { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'remove a member',
      { kind: 'remove', from: 'member' },
      { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
    [
      'remove an owner',
      { kind: 'remove', from: 'owner' },
      { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
    ],
  ]

  it.each(CHANGES.flatMap(([name, change, row]) => CALLERS.map((who) => [name, who, change, row[who]] as const)))(
    '%s, by %s: %s',
    (_name, who, change, expected) => {
      expect(memberChangeAccess(callerOf(who), 'someone else', change)).toBe(expected)
    },
  )

  it.each(['owner', 'admin', 'member'] as const)('lets a %s leave, whatever the role matrix says', (role) => {
    expect(memberChangeAccess(callerOf(role), 'caller', { kind: 'remove', from: role })).toBe('allowed')
  })

  it('does not let an outsider "leave" an organization they are not in', () => {
    expect(memberChangeAccess(callerOf('outsider'), 'caller', { kind: 'remove', from: 'member' })).toBe('hidden')
  })

  it('lets an admin step down, but not make themselves owner', () => {
    const admin = callerOf('admin')
    expect(memberChangeAccess(admin, 'caller', { kind: 'set_role', from: 'admin', role: 'member' })).toBe('allowed')
    expect(memberChangeAccess(admin, 'caller', { kind: 'set_role', from: 'admin', role: 'owner' })).toBe('forbidden')
  })
})

describe('ownersProtected', () => {
  const demote: MemberChange = { kind: 'set_role', from: 'member', role: 'member' }
  it.each([
    ['admin', 'someone else', demote, true],
    ['admin', 'someone else', { kind: 'remove', from: 'member' }, true],
    ['admin', 'caller', { kind: 'remove', from: 'admin' }, false],
    ['owner', 'someone else', demote, false],
    ['global admin', 'someone else', demote, false],
  ] as [Caller, string, MemberChange, boolean][])('by %s of %s, %o: %s', (who, target, change, expected) => {
    expect(ownersProtected(callerOf(who), target, change)).toBe(expected)
  })
})

describe('memberChangeEvents', () => {
  it.each([
    [{ kind: 'add', role: 'member' }, ['member_added']],
    [{ kind: 'set_role', from: 'member', role: 'admin' }, ['member_role_changed']],
    [{ kind: 'set_role', from: 'admin', role: 'admin' }, []],
    [{ kind: 'remove', from: 'owner' }, ['member_removed']],
  ] as [MemberChange, string[]][])('%o makes %o', (change, events) => {
    expect(memberChangeEvents(change)).toEqual(events)
  })
})

describe('slugs', () => {
  it('are normalized as usernames are: one slug whatever its case', () => {
    expect(slugSchema.parse('Acme-Corp')).toBe('acme-corp')
  })

  it.each(['ab', 'a'.repeat(33), 'acme corp', 'acme/corp', 'ácme'])('refuses %s', (slug) => {
    expect(slugSchema.safeParse(slug).success).toBe(false)
  })
})

describe('planOrganizationChange', () => {
  const now = new Date()
  const org = { id: 'o', slug: 'acme', name: 'Acme', createdAt: now, updatedAt: now }

  it('writes an org_updated event for a real change only', () => {
    expect(planOrganizationChange(org, { name: 'Acme Inc.' }, now).events).toEqual(['org_updated'])
    expect(planOrganizationChange(org, { slug: 'acme', name: 'Acme' }, now).events).toEqual([])
  })

  it('refuses a patch that changes nothing at all', () => {
    expect(UpdateOrganizationSchema.safeParse({}).success).toBe(false)
  })
})

// The queries, against the real D1.
const db = drizzle(env.DB)
const origin = { actorUserId: null, ip: null, userAgent: null }

/** A new organization owned by a new user, with members of the given roles. */
async function newOrg(roles: OrgRole[] = []) {
  const owner = await createUser()
  const org = buildOrganization({ slug: uniqueName('org'), name: 'Acme' })
  await batchByName(db, createOrganization(db, org, owner.id))
  const members = []
  for (const role of roles) {
    const user = await createUser()
    await addMember(db, { orgId: org.id, userId: user.id, role, now: new Date(), accepted: true })
    members.push(user)
  }
  return { org, owner, members }
}

const roleOf = async (orgId: string, userId: string) => (await findMembership(db, orgId, userId))?.role

describe('organizations', () => {
  it('are created with their creator as owner, in one batch', async () => {
    const owner = await createUser()
    const org = buildOrganization({ slug: uniqueName('Org'), name: 'Acme' })
    const event = orgEvent('org_created', org.id, owner.id, { ...origin, actorUserId: owner.id })
    const {
      organization: [created],
    } = await batchByName(db, {
      ...createOrganization(db, org, owner.id),
      event: insertEvents(db, [event]),
    })
    expect(created).toMatchObject({ id: org.id, slug: org.slug, name: 'Acme' })
    expect(await roleOf(org.id, owner.id)).toBe('owner')
    const { page } = await listEvents(db, { orgId: org.id, limit: 10 })
    expect(page).toMatchObject([{ type: 'org_created', orgId: org.id, actorUserId: owner.id }])
  })

  it('refuse a taken slug, and write nothing of the batch', async () => {
    const { org } = await newOrg()
    const owner = await createUser()
    const copy = buildOrganization({ slug: org.slug, name: 'Copy' })
    const err = await batchByName(db, createOrganization(db, copy, owner.id)).catch((e) => e)
    expect(orgConflict(err)).toBe('slug')
    expect(await findOrganization(db, copy.id)).toBeUndefined()
    expect(await findMembership(db, copy.id, owner.id)).toBeUndefined()
  })

  it("are found by slug in any case, with the user's role in them or null", async () => {
    const { org, owner } = await newOrg()
    const outsider = await createUser()
    const found = { id: org.id, slug: org.slug, name: 'Acme' }
    expect(await selectOrganizationBySlug(db, org.slug.toUpperCase(), owner.id).get()).toEqual({
      ...found,
      role: 'owner',
    })
    expect(await selectOrganizationBySlug(db, org.slug, outsider.id).get()).toEqual({ ...found, role: null })
    expect(await selectOrganizationBySlug(db, uniqueName('org'), owner.id).get()).toBeUndefined()
  })

  it("are listed with the caller's role, a page at a time, and all of them only when asked", async () => {
    const user = await createUser()
    const mine = []
    for (const role of ['owner', 'admin', 'member', 'member', 'admin'] as const) {
      const { org } = await newOrg()
      await addMember(db, { orgId: org.id, userId: user.id, role, now: new Date(), accepted: true })
      mine.push({ id: org.id, role })
    }
    const { org: notMine } = await newOrg()

    const first = await listOrganizations(db, { userId: user.id, limit: 3 })
    const rest = await listOrganizations(db, { userId: user.id, limit: 3, cursor: first.nextCursor ?? undefined })
    expect(first.nextCursor).toBe(mine[2].id)
    expect(rest.nextCursor).toBeNull()
    expect([...first.page, ...rest.page].map(({ id, role }) => ({ id, role }))).toEqual(mine)

    const all = await listOrganizations(db, { userId: user.id, all: true, limit: 1000 })
    expect(all.page.find((org) => org.id === notMine.id)).toMatchObject({ role: null })
    expect(all.page.filter((org) => org.role !== null)).toHaveLength(mine.length)
  })

  it('take their memberships with them when deleted, in the same statement', async () => {
    const { org, owner, members } = await newOrg(['admin', 'member'])
    const event = orgEvent('org_deleted', org.id, null, { ...origin, actorUserId: owner.id })
    const [deleted] = await db.batch([deleteOrganization(db, org.id), recordIfChanged(db, event)])
    expect(deleted).toEqual([{ id: org.id }])
    expect(await db.$count(memberships, eq(memberships.orgId, org.id))).toBe(0)
    expect(await findUserByReference(db, members[0].id)).toBeDefined()
    // The audit trail outlives the organization.
    expect((await listEvents(db, { orgId: org.id, limit: 10 })).page.map((e) => e.type)).toEqual(['org_deleted'])
  })
})

describe("an organization's audit events", () => {
  it('are its own only, newest first, with the member they are about', async () => {
    const { org: a, owner, members } = await newOrg(['member'])
    const { org: b } = await newOrg()
    const by = { ...origin, actorUserId: owner.id }
    const added = orgEvent('member_added', a.id, members[0].id, by, new Date(Date.now() - 1))
    const removed = orgEvent('member_removed', a.id, members[0].id, by)
    await db.batch([insertEvents(db, [added]), removeMember(db, a.id, members[0].id), recordIfChanged(db, removed)])
    expect((await listEvents(db, { orgId: a.id, limit: 10 })).page).toMatchObject([
      { type: 'member_removed', orgId: a.id, subjectUserId: members[0].id, actorUserId: owner.id },
      { type: 'member_added', orgId: a.id, subjectUserId: members[0].id },
    ])
    expect((await listEvents(db, { orgId: b.id, limit: 10 })).page).toEqual([])
  })
})

describe('members', () => {
  it('are found by username, email or id, in any case', async () => {
    const user = await createUser()
    for (const reference of [user.username.toUpperCase(), user.email.toUpperCase(), user.id.toUpperCase()]) {
      expect((await findUserByReference(db, reference))?.id).toBe(user.id)
    }
    expect(await findUserByReference(db, uniqueName())).toBeUndefined()
  })

  it('are added once: a second membership is a conflict', async () => {
    const { org, members } = await newOrg(['member'])
    const err = await addMember(db, {
      orgId: org.id,
      userId: members[0].id,
      role: 'admin',
      now: new Date(),
      accepted: true,
    }).catch((e) => e)
    expect(orgConflict(err)).toBe('membership')
    expect(await roleOf(org.id, members[0].id)).toBe('member')
  })

  it('are not added, and no event is written, to an organization or account that is gone', async () => {
    const { org } = await newOrg()
    const user = await createUser()
    const event = orgEvent('member_added', crypto.randomUUID(), user.id, origin)
    const missingOrg = addMember(db, {
      orgId: event.orgId ?? '',
      userId: user.id,
      role: 'member',
      now: new Date(),
      accepted: true,
    })
    const missingUser = addMember(db, {
      orgId: org.id,
      userId: crypto.randomUUID(),
      role: 'member',
      now: new Date(),
      accepted: true,
    })
    const [added] = await db.batch([missingOrg, recordIfChanged(db, event)])
    expect(added).toEqual([])
    expect(await missingUser).toEqual([])
    expect((await listEvents(db, { orgId: event.orgId ?? '', limit: 10 })).page).toEqual([])
  })

  it('are listed in user id order, a page at a time, with their role', async () => {
    const { org, owner, members } = await newOrg(['admin', 'member', 'member'])
    const first = await listMembers(db, { orgId: org.id, limit: 2 })
    const rest = await listMembers(db, { orgId: org.id, limit: 2, cursor: first.nextCursor ?? undefined })
    expect(rest.nextCursor).toBeNull()
    expect([...first.page, ...rest.page].map(({ id, role }) => ({ id, role }))).toEqual([
      { id: owner.id, role: 'owner' },
      { id: members[0].id, role: 'admin' },
      { id: members[1].id, role: 'member' },
      { id: members[2].id, role: 'member' },
    ])
  })
})

describe('the last owner', () => {
  const now = new Date()

  it('cannot be demoted, removed or leave, and no event says otherwise', async () => {
    const { org, owner } = await newOrg(['admin'])
    const event = orgEvent('member_role_changed', org.id, owner.id, origin)
    const [demoted] = await db.batch([
      setMemberRole(db, { orgId: org.id, userId: owner.id, role: 'admin', now }),
      recordIfChanged(db, event),
    ])
    expect(demoted).toEqual([])
    expect(await removeMember(db, org.id, owner.id)).toEqual([])
    expect(await roleOf(org.id, owner.id)).toBe('owner')
    expect((await listEvents(db, { orgId: org.id, limit: 10 })).page).toEqual([])
  })

  it('can step down once another owner exists, and then the other is the last', async () => {
    const { org, owner, members } = await newOrg(['owner'])
    expect(await setMemberRole(db, { orgId: org.id, userId: owner.id, role: 'member', now })).toHaveLength(1)
    expect(await removeMember(db, org.id, members[0].id)).toEqual([])
    expect(await removeMember(db, org.id, owner.id)).toEqual([{ userId: owner.id }])
  })

  it("is spared, with ownersProtected, by a write made after they became owner: an admin's check was older", async () => {
    const { org, members } = await newOrg(['owner', 'member'])
    const [owner, member] = members
    expect(
      await setMemberRole(db, { orgId: org.id, userId: owner.id, role: 'member', now, ownersProtected: true }),
    ).toEqual([])
    expect(await removeMember(db, org.id, owner.id, { ownersProtected: true })).toEqual([])
    expect(await roleOf(org.id, owner.id)).toBe('owner')
    expect(
      await setMemberRole(db, { orgId: org.id, userId: member.id, role: 'admin', now, ownersProtected: true }),
    ).toHaveLength(1)
    expect(await removeMember(db, org.id, member.id, { ownersProtected: true })).toEqual([{ userId: member.id }])
  })

  it('is not protected from becoming an owner again, nor are other members from leaving', async () => {
    const { org, owner, members } = await newOrg(['member'])
    expect(await setMemberRole(db, { orgId: org.id, userId: owner.id, role: 'owner', now })).toHaveLength(1)
    expect(await removeMember(db, org.id, members[0].id)).toEqual([{ userId: members[0].id }])
  })

  it('survives two owners demoting each other at the same moment', async () => {
    for (let round = 0; round < 10; round++) {
      const { org, owner, members } = await newOrg(['owner'])
      const [a, b] = [owner.id, members[0].id]
      const demote = (userId: string, actorUserId: string) =>
        db.batch([
          setMemberRole(db, { orgId: org.id, userId, role: 'member', now }),
          recordIfChanged(db, orgEvent('member_role_changed', org.id, userId, { ...origin, actorUserId })),
        ])
      const answers = await Promise.all([demote(b, a), demote(a, b)])
      expect(answers.map(([changed]) => changed.length).sort()).toEqual([0, 1])
      const owners = await db.$count(memberships, and(eq(memberships.orgId, org.id), eq(memberships.role, 'owner')))
      expect(owners).toBe(1)
      expect((await listEvents(db, { orgId: org.id, limit: 10 })).page).toHaveLength(1)
    }
  })

  it('survives two owners removing each other at the same moment', async () => {
    for (let round = 0; round < 10; round++) {
      const { org, owner, members } = await newOrg(['owner'])
      const answers = await Promise.all([
        db.batch([removeMember(db, org.id, members[0].id)]),
        db.batch([removeMember(db, org.id, owner.id)]),
      ])
      expect(answers.map(([removed]) => removed.length).sort()).toEqual([0, 1])
      expect(await db.$count(memberships, eq(memberships.orgId, org.id))).toBe(1)
    }
  })
})

describe('deleting a user', () => {
  it('is refused while they are the only owner of an organization, which says which', async () => {
    const { org, owner } = await newOrg(['admin'])
    expect(await deleteUser(db, owner.id)).toEqual([])
    expect(await findOrganizationsOwnedAlone(db, owner.id)).toEqual([{ id: org.id, slug: org.slug }])
    expect(await findUserByReference(db, owner.id)).toBeDefined()
  })

  it('takes their memberships with them once every organization they own has another owner', async () => {
    const { org, owner, members } = await newOrg(['owner', 'member'])
    const { org: other } = await newOrg()
    await addMember(db, { orgId: other.id, userId: owner.id, role: 'admin', now: new Date(), accepted: true })
    expect(await findOrganizationsOwnedAlone(db, owner.id)).toEqual([])
    expect(await deleteUser(db, owner.id)).toEqual([{ id: owner.id }])
    expect(await db.$count(memberships, eq(memberships.userId, owner.id))).toBe(0)
    expect(await roleOf(org.id, members[0].id)).toBe('owner')
    expect(await deleteUser(db, members[1].id)).toEqual([{ id: members[1].id }])
  })

  it('races with their co-owner being deleted: one of them stays', async () => {
    for (let round = 0; round < 5; round++) {
      const { org, owner, members } = await newOrg(['owner'])
      const answers = await Promise.all([
        db.batch([deleteUser(db, owner.id)]),
        db.batch([deleteUser(db, members[0].id)]),
      ])
      expect(answers.map(([deleted]) => deleted.length).sort()).toEqual([0, 1])
      expect(await db.$count(memberships, eq(memberships.orgId, org.id))).toBe(1)
    }
  })
})

describe('findAccountInOrg', () => {
  const tokenOf = (userId: string) => ({ userId, jti: crypto.randomUUID() })

  it('is one query, and answers the account, the organization and the role D1 holds now', async () => {
    const { org, members } = await newOrg(['admin'])
    const counted = flakyD1(env.DB, { failures: 0 })
    const found = await findAccountInOrg(drizzle(counted.binding), { ...tokenOf(members[0].id), orgId: org.id })
    expect(counted.executions).toHaveLength(1)
    expect(found).toMatchObject({ user: { id: members[0].id }, revoked: 0, org: { id: org.id }, role: 'admin' })

    await setMemberRole(db, { orgId: org.id, userId: members[0].id, role: 'member', now: new Date() })
    expect((await findAccountInOrg(db, { ...tokenOf(members[0].id), orgId: org.id }))?.role).toBe('member')
    await removeMember(db, org.id, members[0].id)
    expect(await findAccountInOrg(db, { ...tokenOf(members[0].id), orgId: org.id })).toMatchObject({
      org: { id: org.id },
      role: null,
    })
  })

  it('tells an outsider of an existing organization from a missing one, and keeps two organizations apart', async () => {
    const { org: a, owner } = await newOrg()
    const { org: b } = await newOrg()
    expect(await findAccountInOrg(db, { ...tokenOf(owner.id), orgId: b.id })).toMatchObject({
      org: { id: b.id },
      role: null,
    })
    expect(await findAccountInOrg(db, { ...tokenOf(owner.id), orgId: crypto.randomUUID() })).toMatchObject({
      user: { id: owner.id },
      org: null,
      role: null,
    })
    expect((await findAccountInOrg(db, { ...tokenOf(owner.id), orgId: a.id }))?.role).toBe('owner')
  })

  it('still refuses a logged-out token, and finds no account that is gone', async () => {
    const { org, owner } = await newOrg()
    const token = tokenOf(owner.id)
    await db.insert(revokedTokens).values({ jti: token.jti, userId: owner.id, expiresAt: 2 ** 31 })
    expect(await findAccountInOrg(db, { ...token, orgId: org.id })).toMatchObject({ revoked: 1, role: 'owner' })
    expect(await findAccountInOrg(db, { ...tokenOf(crypto.randomUUID()), orgId: org.id })).toBeUndefined()
  })
})
