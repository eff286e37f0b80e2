import { forgetApiKeyUse } from './api-key-use'
import { clearInvitations } from './invitations'
import type { NumberedBody } from './load'
import { BENCH_USER } from './seed'

/** The three servers: plain workerd (no D1), and Miniflare with a small and a large users table. */
export type SetupName = 'workerd' | 'small' | 'large'

/** How the output names each setup. */
export const SETUP_LABELS: Record<SetupName, string> = {
  workerd: 'plain workerd',
  small: 'Miniflare, 10 users',
  large: 'Miniflare, 100,000 users',
}

/** One request the bench sends over and over, and the status every answer must have. */
export type Target = {
  /** `setup:name`, unique: what measurements and checks refer to. */
  key: string
  setup: SetupName
  /** The request as the tables show it. */
  label: string
  method: 'GET' | 'POST'
  path: string
  headers: Record<string, string>
  body?: string
  status: number
  /** A refresh chain: a fresh login per connection, each refresh token sent once, its successor next. */
  refreshChain?: true
  /** A new body each request; then `body` is the preflight's. */
  numberedBody?: NumberedBody
  /** After each run and the preflight, with how many answers had `status`: checks and undoes what they wrote. */
  afterRun?: (answered: number) => Promise<void>
  /** Before the D1 meter's pass only: puts back the state whose writes the pass must see. */
  beforeMeteredPass?: () => Promise<void>
}

/** A logged-in session of a Miniflare setup: the token, its refresh token and the claims `pk-query` looks up. */
export type Session = { token: string; refreshToken: string; sub: string; jti: string }

/** An organization of the large setup that its session's user owns, and that setup's D1. */
export type InvitingOrg = { orgId: string; db: D1Database }

/** An organization of the large setup its session's user is a member of, a `member` API key of it, and that D1. */
export type MemberOrg = { orgId: string; apiKey: { key: string; id: string }; db: D1Database }

/** Five digits, so every body has the same size; the large setup's `seedUsers` made user-1 … user-99999. */
const INVITEE_NUMBERS = { first: 10_000, last: 99_998 }

/**
 * Everything measured, in the order of a round. `small` and `large` are sessions of
 * those setups; plain workerd checks `small`'s token (same secret, issuer and audience).
 * `member` is an organization of the large setup that its session's user is a member of, requested
 * with that session's token and with an API key of the same role; `inviting`, one it owns, where the
 * invitation targets send theirs.
 */
export function benchTargets(small: Session, large: Session, member: MemberOrg, inviting: InvitingOrg): Target[] {
  type Request = Pick<Target, 'method' | 'path' | 'headers' | 'body'>
  const target = (
    setup: SetupName,
    name: string,
    label: string,
    request: Request & Pick<Target, 'refreshChain' | 'numberedBody' | 'afterRun' | 'beforeMeteredPass'>,
    status = 200,
  ): Target => ({
    key: `${setup}:${name}`,
    setup,
    label,
    status,
    ...request,
  })
  const get = (path: string, session?: Session): Request => ({
    method: 'GET',
    path,
    headers: session ? { Authorization: `Bearer ${session.token}` } : {},
  })
  const login = (username: string, password: string): Request => ({
    method: 'POST',
    path: '/api/auth/login',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  // The same length each request, a seeded account's email or one no account has: a body of the same size.
  const invite = (local: 'user' | 'none'): Request & Pick<Target, 'numberedBody' | 'afterRun'> => {
    const template = JSON.stringify({ user: `${local}-{n}@example.com`, role: 'member' })
    return {
      method: 'POST',
      path: `/api/orgs/${inviting.orgId}/invitations`,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${large.token}` },
      body: template.replace('{n}', String(INVITEE_NUMBERS.last + 1)),
      numberedBody: { template, ...INVITEE_NUMBERS },
      afterRun: (created) => clearInvitations(inviting.db, inviting.orgId, { created, toAccounts: local === 'user' }),
    }
  }
  const orgPath = `/api/orgs/${member.orgId}`
  const pkQuery = `/bench/pk-query?${new URLSearchParams({ sub: small.sub, jti: small.jti })}`
  const { username, password } = BENCH_USER
  // Each scenario's target next to its reference, so that drift in between matters least.
  return [
    target('workerd', 'bare', 'GET /bench/bare', get('/bench/bare')),
    target('workerd', 'verify-minimal', 'GET /bench/verify-minimal', get('/bench/verify-minimal', small)),
    target('workerd', 'jwt-only', 'GET /bench/jwt-only', get('/bench/jwt-only', small)),
    target('workerd', 'pbkdf2', 'GET /bench/pbkdf2', get('/bench/pbkdf2')),
    target('small', 'pk-query', 'GET /bench/pk-query', get(pkQuery)),
    target('small', 'me', 'GET /api/auth/me', get('/api/auth/me', small)),
    target('small', 'refresh', 'POST /api/auth/refresh', {
      method: 'POST',
      path: '/api/auth/refresh',
      headers: { 'Content-Type': 'application/json' },
      refreshChain: true,
    }),
    target('large', 'me', 'GET /api/auth/me', get('/api/auth/me', large)),
    target('large', 'org', 'GET /api/orgs/{orgId}, token', get(orgPath, large)),
    target('large', 'org-key', 'GET /api/orgs/{orgId}, API key', {
      method: 'GET',
      path: orgPath,
      headers: { Authorization: `Bearer ${member.apiKey.key}` },
      beforeMeteredPass: () => forgetApiKeyUse(member.db, member.apiKey.id),
    }),
    target('large', 'invite-account', 'POST /api/orgs/{orgId}/invitations, an account', invite('user'), 201),
    target('large', 'invite-nobody', 'POST /api/orgs/{orgId}/invitations, no account', invite('none'), 201),
    target('small', 'pbkdf2', 'GET /bench/pbkdf2', get('/bench/pbkdf2')),
    target('small', 'login', 'POST /api/auth/login, right password', login(username, password)),
    target('large', 'login', 'POST /api/auth/login, right password', login(username, password)),
    target('small', 'login-wrong', 'POST /api/auth/login, wrong password', login(username, 'wrong-password'), 401),
    target('small', 'login-unknown', 'POST /api/auth/login, unknown user', login('nobody-here', 'wrong-password'), 401),
  ]
}
