import type { Measurement } from './measure'
import { summary } from './stats'

/** One round's measurement of a target at a concurrency. */
type Lookup = (target: string, connections: number) => Measurement

/** A scenario's target: a value computed from each round, and whether its median meets the target. */
type Check = {
  scenario: string
  connections: number
  /** The target whose numbers the row shows. */
  subject: string
  reference: string
  /** `ratio` values are quotients; `ms` values are differences of CPU time per request. */
  unit: 'ratio' | 'ms'
  /** A figure to report, with no target to meet: `target` says so, and it counts as neither met nor missed. */
  informational?: true
  target: string
  met: (value: number) => boolean
  value: (round: Lookup, nodePbkdf2Ms: number) => number
}

/** A check's values from every round, summarised. */
export type CheckResult = Omit<Check, 'met' | 'value'> & {
  perRound: number[]
  median: number
  min: number
  max: number
  met: boolean
}

const rps = (m: Measurement) => m.requestsPerSecond
const cpu = (m: Measurement) => m.cpuMsPerRequest
const p50 = (m: Measurement) => m.p50Ms

function checksAt(connections: number): Check[] {
  const at = (round: Lookup, target: string) => round(target, connections)
  const ratioOf = (metric: (m: Measurement) => number, subject: string, reference: string) => (round: Lookup) =>
    metric(at(round, subject)) / metric(at(round, reference))
  const common = { connections, unit: 'ratio' as const }
  return [
    {
      ...common,
      scenario: 'JWT-guarded route, no D1: throughput',
      subject: 'workerd:jwt-only',
      reference: 'GET /bench/bare',
      target: '≥ 0.70',
      met: (v) => v >= 0.7,
      value: ratioOf(rps, 'workerd:jwt-only', 'workerd:bare'),
    },
    {
      ...common,
      scenario: "JWT-guarded route, no D1: auth CPU ÷ minimal verifier's",
      subject: 'workerd:jwt-only',
      reference: 'GET /bench/verify-minimal (both less /bench/bare)',
      target: '≤ 1.20',
      met: (v) => v <= 1.2,
      value: (round) => {
        const bare = cpu(at(round, 'workerd:bare'))
        return (cpu(at(round, 'workerd:jwt-only')) - bare) / (cpu(at(round, 'workerd:verify-minimal')) - bare)
      },
    },
    {
      ...common,
      scenario: 'GET /api/auth/me: throughput',
      subject: 'small:me',
      reference: 'GET /bench/pk-query',
      target: '≥ 0.95',
      met: (v) => v >= 0.95,
      value: ratioOf(rps, 'small:me', 'small:pk-query'),
    },
    {
      ...common,
      informational: true,
      scenario: 'Refresh ÷ protected route: throughput',
      subject: 'small:refresh',
      reference: 'GET /api/auth/me',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(rps, 'small:refresh', 'small:me'),
    },
    {
      ...common,
      informational: true,
      scenario: 'Refresh ÷ protected route: CPU/request',
      subject: 'small:refresh',
      reference: 'GET /api/auth/me',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(cpu, 'small:refresh', 'small:me'),
    },
    {
      ...common,
      informational: true,
      scenario: 'Organization-scoped ÷ protected route: throughput',
      subject: 'large:org',
      reference: 'GET /api/auth/me, 100,000 users',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(rps, 'large:org', 'large:me'),
    },
    {
      ...common,
      informational: true,
      scenario: 'Organization-scoped ÷ protected route: CPU/request',
      subject: 'large:org',
      reference: 'GET /api/auth/me, 100,000 users',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(cpu, 'large:org', 'large:me'),
    },
    {
      ...common,
      informational: true,
      scenario: 'API key ÷ token, organization route: p50',
      subject: 'large:org-key',
      reference: 'GET /api/orgs/{orgId}, token',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(p50, 'large:org-key', 'large:org'),
    },
    {
      ...common,
      informational: true,
      scenario: 'API key ÷ token, organization route: CPU/request',
      subject: 'large:org-key',
      reference: 'GET /api/orgs/{orgId}, token',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(cpu, 'large:org-key', 'large:org'),
    },
    {
      ...common,
      scenario: 'Invitation, no account ÷ an account: p50',
      subject: 'large:invite-nobody',
      reference: 'POST /api/orgs/{orgId}/invitations, an account',
      target: '0.95–1.05',
      met: (v) => v >= 0.95 && v <= 1.05,
      value: ratioOf(p50, 'large:invite-nobody', 'large:invite-account'),
    },
    {
      ...common,
      informational: true,
      scenario: 'Invitation, no account ÷ an account: CPU/request',
      subject: 'large:invite-nobody',
      reference: 'POST /api/orgs/{orgId}/invitations, an account',
      target: '— (reported)',
      met: () => true,
      value: ratioOf(cpu, 'large:invite-nobody', 'large:invite-account'),
    },
    {
      ...common,
      scenario: 'Login, right password: throughput',
      subject: 'small:login',
      reference: 'GET /bench/pbkdf2 (Miniflare)',
      target: '≥ 0.95',
      met: (v) => v >= 0.95,
      value: ratioOf(rps, 'small:login', 'small:pbkdf2'),
    },
    {
      ...common,
      unit: 'ms',
      scenario: 'Login, right password: CPU/request beyond PBKDF2',
      subject: 'small:login',
      reference: 'GET /bench/pbkdf2 (Miniflare)',
      target: '≤ +1 ms',
      met: (v) => v <= 1,
      value: (round) => cpu(at(round, 'small:login')) - cpu(at(round, 'small:pbkdf2')),
    },
    {
      ...common,
      scenario: 'Login, unknown user ÷ wrong password: p50',
      subject: 'small:login-unknown',
      reference: 'POST /api/auth/login, wrong password',
      target: '0.95–1.05',
      met: (v) => v >= 0.95 && v <= 1.05,
      value: ratioOf(p50, 'small:login-unknown', 'small:login-wrong'),
    },
    {
      ...common,
      scenario: 'GET /api/auth/me, 100,000 ÷ 10 users: p50',
      subject: 'large:me',
      reference: 'GET /api/auth/me, 10 users',
      target: '≤ 1.10',
      met: (v) => v <= 1.1,
      value: ratioOf(p50, 'large:me', 'small:me'),
    },
    {
      ...common,
      scenario: 'Login, 100,000 ÷ 10 users: p50',
      subject: 'large:login',
      reference: 'POST /api/auth/login, 10 users',
      target: '≤ 1.10',
      met: (v) => v <= 1.1,
      value: ratioOf(p50, 'large:login', 'small:login'),
    },
  ]
}

const pbkdf2Checks: Check[] = [
  {
    scenario: 'PBKDF2 in the Worker ÷ Node: CPU/request',
    connections: 1,
    subject: 'workerd:pbkdf2',
    reference: 'Node crypto.pbkdf2Sync',
    unit: 'ratio',
    target: '≤ 1.15',
    met: (v) => v <= 1.15,
    value: (round, nodeMs) => cpu(round('workerd:pbkdf2', 1)) / nodeMs,
  },
  {
    scenario: 'PBKDF2 in the Worker ÷ Node: p50',
    connections: 1,
    subject: 'workerd:pbkdf2',
    reference: 'Node crypto.pbkdf2Sync',
    unit: 'ratio',
    target: '≤ 1.15',
    met: (v) => v <= 1.15,
    value: (round, nodeMs) => p50(round('workerd:pbkdf2', 1)) / nodeMs,
  },
]

/**
 * Every scenario's value in each round (measurements of the same round only), with the
 * median, the range and whether the median meets the target.
 */
export function evaluateChecks(rounds: Measurement[][], nodePbkdf2Ms: number[]): CheckResult[] {
  const [single, ten] = [checksAt(1), checksAt(10)]
  const checks = [...single.flatMap((check, i) => [check, ten[i]]), ...pbkdf2Checks]
  return checks.map(({ met, value, ...check }) => {
    const perRound = rounds.map((measurements, i) => {
      const lookup: Lookup = (target, connections) => {
        const found = measurements.find((m) => m.target === target && m.connections === connections)
        if (!found) throw new Error(`No measurement of ${target} at c=${connections}`)
        return found
      }
      return value(lookup, nodePbkdf2Ms[i])
    })
    const stats = summary(perRound)
    return { ...check, perRound, ...stats, met: met(stats.median) }
  })
}
