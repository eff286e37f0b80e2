import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, client, createUser, eventsAbout, request, uniqueName } from '../helpers'
import {
  ALREADY_MEMBER,
  addMemberAs,
  type Cast,
  cast,
  changeRole,
  changesIn,
  join,
  LAST_OWNER,
  MEMBER_NOT_FOUND,
  membersOf,
  missingId,
  orgOf,
  orgOwnedBy,
  ownersOf,
  roleIn,
  stateOf,
} from './org-helpers'

const USER_NOT_FOUND = { error: 'User not found', code: 'user_not_found' }

let people: Cast
beforeAll(async () => {
  people = await cast()
})

/** The member `user` as the API shows them, with `role`. */
const asMember = (user: { id: string; username: string; email: string }, role: string) => ({
  userId: user.id,
  username: user.username,
  email: user.email,
  role,
  joinedAt: expect.stringMatching(/Z$/),
})

describe('POST /api/orgs/{orgId}/members', () => {
  it.each([
    ['username', (u: { username: string }) => u.username],
    ['username in upper case', (u: { username: string }) => u.username.toUpperCase()],
    ['email in upper case', (u: { email: string }) => u.email.toUpperCase()],
    ['email, padded with spaces', (u: { email: string }) => `  ${u.email}  `],
    ['userId', (u: { id: string }) => u.id],
    ['userId in upper case', (u: { id: string }) => u.id.toUpperCase()],
  ])('adds an existing account named by its %s', async (_how, reference) => {
    const org = await orgOf(people)
    const user = await createUser({ username: uniqueName('Mixed') })
    const res = await request(`/api/orgs/${org.orgId}/members`, {
      method: 'POST',
      token: people.globalAdmin.token,
      json: {
        user: reference(user),
        role: 'member',
      },
    })
    expect(res.status).toBe(201)
    const added = await res.json<ReturnType<typeof asMember>>()
    expect(added).toEqual(asMember(user, 'member'))
    // Another member sees them, but not their email.
    expect((await membersOf(people.member.token, org.orgId)).members).toContainEqual({ ...added, email: null })
  })

  it('answers 409 already_member to a member, however named and whatever the role, and changes nothing', async () => {
    const org = await orgOf(people)
    const before = await stateOf(org.orgId)
    const { user } = people.member
    for (const reference of [user.username, user.email.toUpperCase(), user.id]) {
      const res = await addMemberAs(people.globalAdmin.token, org.orgId, reference, 'owner')
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual(ALREADY_MEMBER)
    }
    expect(await stateOf(org.orgId)).toEqual(before)
  })

  it.each([
    ['username', () => uniqueName('ghost')],
    ['email', () => `${uniqueName('ghost')}@example.com`],
    ['userId', () => missingId()],
  ])('answers 404 user_not_found to an unknown %s', async (_how, reference) => {
    const org = await orgOf(people)
    const before = await stateOf(org.orgId)
    const res = await addMemberAs(people.globalAdmin.token, org.orgId, reference(), 'member')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual(USER_NOT_FOUND)
    expect(await stateOf(org.orgId)).toEqual(before)
  })
})

describe('GET /api/orgs/{orgId}/members', () => {
  it('lists every member once, in user id order, a page at a time', async () => {
    const org = await orgOf(people)
    const late = await createUser()
    await join(org.orgId, late.id, 'admin')

    const { owner, admin, member } = people
    // A plain member reads the page: their own email only.
    const expected = [
      { ...asMember(owner.user, 'owner'), email: null },
      { ...asMember(admin.user, 'admin'), email: null },
      asMember(member.user, 'member'),
      { ...asMember(late, 'admin'), email: null },
    ].sort((a, b) => a.userId.localeCompare(b.userId))

    const first = await membersOf(people.member.token, org.orgId, { limit: '3' })
    expect(first.nextCursor).toBe(expected[2].userId)
    const rest = await membersOf(people.member.token, org.orgId, { limit: '3', cursor: first.nextCursor ?? '' })
    expect(rest.nextCursor).toBeNull()
    expect([...first.members, ...rest.members]).toEqual(expected)
  })
})

describe('PATCH /api/orgs/{orgId}/members/{userId}', () => {
  it('changes the role and answers the member', async () => {
    const org = await orgOf(people)
    const { user } = people.member
    const res = await changeRole(people.admin.token, org.orgId, user.id, 'admin')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual(asMember(user, 'admin'))
    expect(await roleIn(org.orgId, user.id)).toBe('admin')
  })

  it.each([
    ['an account that is not a member', async () => (await createUser()).id],
    ['no account at all', async () => missingId()],
  ])('answers 404 member_not_found for %s', async (_what, userId) => {
    const org = await orgOf(people)
    for (const [method, body] of [
      ['PATCH', { role: 'admin' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await request(`/api/orgs/${org.orgId}/members/${await userId()}`, {
        method,
        token: people.owner.token,
        json: body,
      })
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual(MEMBER_NOT_FOUND)
    }
  })
})

describe('leaving an organization', () => {
  it.each(['member', 'admin'] as const)('is open to its %s', async (who) => {
    const org = await orgOf(people)
    const { user, token } = people[who]
    expect(
      (
        await client.api.orgs[':orgId'].members[':userId'].$delete(
          { param: { orgId: org.orgId, userId: user.id } },
          bearer(token),
        )
      ).status,
    ).toBe(204)
    expect(await roleIn(org.orgId, user.id)).toBeUndefined()
  })

  it('is open to an owner while another owner stays', async () => {
    const org = await orgOf(people)
    await changeRole(people.owner.token, org.orgId, people.admin.user.id, 'owner')
    const { user, token } = people.owner
    expect(
      (
        await client.api.orgs[':orgId'].members[':userId'].$delete(
          { param: { orgId: org.orgId, userId: user.id } },
          bearer(token),
        )
      ).status,
    ).toBe(204)
    expect(await ownersOf(org.orgId)).toBe(1)
  })

  it.each([
    ['leave', 'DELETE', undefined, 'owner'],
    ['step down', 'PATCH', { role: 'admin' }, 'owner'],
    ['be removed by a global admin', 'DELETE', undefined, 'globalAdmin'],
    ['be demoted by a global admin', 'PATCH', { role: 'member' }, 'globalAdmin'],
  ] as const)(
    'is refused to the only owner: they cannot %s (409 last_owner, with a hint)',
    async (_what, method, body, by) => {
      const org = await orgOf(people)
      const before = await stateOf(org.orgId)
      const res = await request(`/api/orgs/${org.orgId}/members/${people.owner.user.id}`, {
        method,
        token: people[by].token,
        json: body,
      })
      expect(res.status).toBe(409)
      expect(await res.json()).toEqual(LAST_OWNER)
      expect(await stateOf(org.orgId)).toEqual(before)
    },
  )
})

describe('deleting an account that belongs to organizations', () => {
  const deleteUser = (id: string) =>
    client.api.users[':id'].$delete({ param: { id } }, bearer(people.globalAdmin.token))

  it('is refused with 409 last_owner while it is the only owner of one, and deletes nothing', async () => {
    const owner = await createUser()
    const org = await orgOwnedBy(owner.id)
    await join(org.orgId, people.member.user.id, 'admin')
    const before = await stateOf(org.orgId)

    const res = await deleteUser(owner.id)
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual(LAST_OWNER)
    expect(
      (await client.api.users[':id'].$get({ param: { id: owner.id } }, bearer(people.globalAdmin.token))).status,
    ).toBe(200)
    expect(await stateOf(org.orgId)).toEqual(before)
    expect((await eventsAbout(owner.id)).map((event) => event.type)).not.toContain('user_deleted')
  })

  it('takes a plain member out of every organization they were in', async () => {
    const org = await orgOf(people)
    const other = await orgOf(people)
    const user = await createUser()
    await join(org.orgId, user.id, 'member')
    await join(other.orgId, user.id, 'admin')

    expect((await deleteUser(user.id)).status).toBe(204)
    for (const { orgId } of [org, other]) {
      const { members } = await membersOf(people.owner.token, orgId)
      expect(members.map((member) => member.userId)).not.toContain(user.id)
      expect(members).toHaveLength(3)
    }
  })

  it('is allowed once another member is made an owner, who then owns it alone', async () => {
    const owner = await createUser()
    const org = await orgOwnedBy(owner.id)
    const heir = await createUser()
    await join(org.orgId, heir.id, 'member')
    expect((await deleteUser(owner.id)).status).toBe(409)

    const promoted = await changeRole(people.globalAdmin.token, org.orgId, heir.id, 'owner')
    expect(promoted.status).toBe(200)
    expect((await deleteUser(owner.id)).status).toBe(204)

    expect((await membersOf(people.globalAdmin.token, org.orgId)).members).toEqual([asMember(heir, 'owner')])
    expect(await changesIn(org.orgId)).toEqual(['member_role_changed'])
  })
})
