import { describe, expect, it } from 'vitest'
import type { OrgRole, Role } from '../src/data/schema'
import { type MemberChange, memberChangeAccess, memberChangeEvents, sparesOwners } from '../src/orgs/member-changes'
import { planOrganizationChange, slugSchema, UpdateOrganizationSchema } from '../src/orgs/organization'
import { type OrgAccess, type OrgAction, orgAccess } from '../src/orgs/permissions'

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
    'view_audit',
    { owner: 'allowed', admin: 'allowed', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
  ],
  [
    'delete',
    { owner: 'allowed', admin: 'forbidden', member: 'forbidden', outsider: 'hidden', 'global admin': 'allowed' },
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

  it.each(CALLERS)('hides an organisation that does not exist from %s, as from an outsider', (who) => {
    expect(orgAccess(callerOf(who, false), 'view')).toBe('hidden')
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

  it('does not let an outsider "leave" an organisation they are not in', () => {
    expect(memberChangeAccess(callerOf('outsider'), 'caller', { kind: 'remove', from: 'member' })).toBe('hidden')
  })

  it('lets an admin step down, but not make themselves owner', () => {
    const admin = callerOf('admin')
    expect(memberChangeAccess(admin, 'caller', { kind: 'set_role', from: 'admin', role: 'member' })).toBe('allowed')
    expect(memberChangeAccess(admin, 'caller', { kind: 'set_role', from: 'admin', role: 'owner' })).toBe('forbidden')
  })
})

describe('sparesOwners', () => {
  const demote: MemberChange = { kind: 'set_role', from: 'member', role: 'member' }
  it.each([
    ['admin', 'someone else', demote, true],
    ['admin', 'someone else', { kind: 'remove', from: 'member' }, true],
    ['admin', 'caller', { kind: 'remove', from: 'admin' }, false],
    ['owner', 'someone else', demote, false],
    ['global admin', 'someone else', demote, false],
  ] as [Caller, string, MemberChange, boolean][])('by %s of %s, %o: %s', (who, target, change, expected) => {
    expect(sparesOwners(callerOf(who), target, change)).toBe(expected)
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
  it('are normalised as usernames are: one slug whatever its case', () => {
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
