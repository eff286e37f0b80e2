/**
 * `npm run bench`: the auth paths' throughput, latency and CPU time against reference
 * routes that exist only in the bench build, in plain workerd and in Miniflare with D1.
 * Loopback only; stops by itself in about four minutes; ends every process it started.
 * docs/benchmark.md says what each setup is for and how to read the tables it rewrites there.
 */

import { passwordsOf } from '../src/settings'
import { buildBenchBundle } from './lib/build'
import { BUSY_CACHE_MS, BUSY_REQUESTS, measureBusyUser } from './lib/busy-user'
import { evaluateChecks } from './lib/checks'
import { type D1Usage, measureD1 } from './lib/d1-usage'
import { LoadGenerator } from './lib/load'
import { type Measurement, measure, preflight } from './lib/measure'
import { startMiniflare } from './lib/miniflare-server'
import { nodePbkdf2Ms } from './lib/node-pbkdf2'
import { runBench } from './lib/processes'
import {
  BENCHMARK_DOC_PATH,
  busyUserTable,
  d1ComparisonTable,
  d1Table,
  measurementsTable,
  medians,
  RESULTS_PATH,
  scenarioTable,
  writeBenchmarkDoc,
  writeResults,
} from './lib/report'
import { applyMigrations, seedApiKey, seedOrganizations, seedOwnedOrganization, seedUsers } from './lib/seed'
import { logIn } from './lib/session'
import { BENCH_OVERRIDES, workerSettings } from './lib/settings'
import { benchTargets, SETUP_LABELS, type Target } from './lib/targets'
import { startWorkerd } from './lib/workerd-server'

const ROUNDS = 4
const CONCURRENCY = [1, 10]
/** Each run sends about this many seconds' worth of requests, at the rate the warm-up measured. */
const RUN_SECONDS = 1.25
/** Each route's warm-up, which also measures the rate the runs are sized by. */
const WARMUP_SECONDS = 0.3
const USERS = { small: 10, large: 100_000 }
/** In the large setup only: every member a different user, the bench user one of the first organization's. */
const ORGANIZATIONS = { count: 1_000, members: 100 }
/** In the large setup only: an organization more, the bench user its owner and only member, for invitations. */
const INVITING_ORG = 'bench-invitations'
/**
 * Each D1 route's metered pass sends about this many seconds' worth of requests, one at a
 * time, and at least `D1_MIN_REQUESTS`: Miniflare reports `meta.duration` in whole ms,
 * so a sub-millisecond statement's time shows only as an average over many.
 */
const D1_SECONDS = 2
const D1_MIN_REQUESTS = 100

const started = performance.now()
const progress = (message: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${message}`)

const describe = (target: Target, m: Measurement) =>
  `${SETUP_LABELS[target.setup]}: ${target.label}, c=${m.connections}: ${m.requestsPerSecond.toFixed(0)} req/s, ` +
  `p50 ${m.p50Ms.toFixed(2)} ms, CPU ${m.cpuMsPerRequest.toFixed(3)} ms/req` +
  (m.unexpected > 0 ? `, ${m.unexpected} UNEXPECTED ANSWERS` : '') +
  (m.settled ? '' : ', workerd still busy afterwards')

await runBench(async () => {
  progress('Bundling bench/bench-worker.ts with wrangler deploy --dry-run; reading wrangler.toml')
  const [settings, bundle] = await Promise.all([workerSettings(), buildBenchBundle()])
  const { hashing } = await passwordsOf(settings.bindings as unknown as Env)
  const { iterations } = hashing
  progress(`Bench vars that differ from wrangler.toml: ${JSON.stringify(BENCH_OVERRIDES)}, and bench-only secrets`)
  progress('(the login limiter is at its highest counts, and each run has its own CF-Connecting-IP)')

  const load = new LoadGenerator()
  // One at a time: each Miniflare's workerd process is told from the others by when it appeared.
  const servers = {
    workerd: await startWorkerd(bundle, settings),
    small: await startMiniflare(bundle, settings),
    large: await startMiniflare(bundle, settings),
  }
  // The small setup again, with the account cache on: only the busy-user figures use it.
  const cached = await startMiniflare(bundle, {
    ...settings,
    bindings: { ...settings.bindings, ACCOUNT_CACHE_MS: BUSY_CACHE_MS },
  })
  progress(
    `Serving: plain workerd at ${servers.workerd.url}, Miniflare at ${servers.small.url} and ${servers.large.url}`,
  )
  const seeded = async (setup: 'small' | 'large', db = servers[setup].db) => {
    await applyMigrations(db)
    return seedUsers(db, USERS[setup], hashing)
  }
  const [, , large] = await Promise.all([
    seeded('small'),
    seeded('small', cached.db),
    seeded('large').then(async (userIds) => {
      // One after the other: the first counts every organization and membership it finds.
      const orgId = await seedOrganizations(servers.large.db, userIds, ORGANIZATIONS)
      const invitingOrgId = await seedOwnedOrganization(servers.large.db, userIds[0], INVITING_ORG)
      // The first organization's owner is its second user.
      const apiKey = await seedApiKey(servers.large.db, { orgId, createdBy: userIds[1] })
      return { orgId, invitingOrgId, apiKey }
    }),
  ])
  progress(
    `Seeded ${USERS.small} and ${USERS.large} users (PBKDF2 at ${iterations} iterations); ` +
      `${ORGANIZATIONS.count} organizations of ${ORGANIZATIONS.members} members among the ${USERS.large}, ` +
      `and ${INVITING_ORG}, owned by the bench user; a member API key of org-0, created by its owner`,
  )
  const member = { orgId: large.orgId, apiKey: large.apiKey, db: servers.large.db }
  const inviting = { orgId: large.invitingOrgId, db: servers.large.db }
  const targets = benchTargets(await logIn(servers.small), await logIn(servers.large), member, inviting)
  for (const target of targets) await preflight(servers[target.setup], target)

  const requestsPerRun = new Map<string, number>()
  const meteredRequests = new Map<string, number>()
  for (const target of targets) {
    for (const connections of CONCURRENCY) {
      const server = servers[target.setup]
      // A few requests first: a run limited by time may see no answer at all from a slow route.
      const probe = await measure(load, server, target, connections, connections * 2)
      const warmup = Math.max(connections * 2, Math.round(probe.requestsPerSecond * WARMUP_SECONDS))
      const warm = await measure(load, server, target, connections, warmup)
      if (warm.unexpected > 0) throw new Error(`Warm-up: ${describe(target, warm)}`)
      const requests = Math.max(20, connections * 4, Math.round(warm.requestsPerSecond * RUN_SECONDS))
      requestsPerRun.set(`${target.key}@${connections}`, requests)
      if (connections === 1) {
        meteredRequests.set(target.key, Math.max(D1_MIN_REQUESTS, Math.round(warm.requestsPerSecond * D1_SECONDS)))
      }
      progress(`  warm-up: ${describe(target, warm)}; ${requests} requests per run`)
    }
  }
  progress(`Warmed up; each run sends about ${RUN_SECONDS} s worth of requests`)

  const rounds: Measurement[][] = []
  const nodeMs: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    nodeMs.push(nodePbkdf2Ms(iterations))
    progress(`Round ${round + 1}/${ROUNDS}: Node pbkdf2Sync ${nodeMs[round].toFixed(2)} ms`)
    // Every other round runs backwards (A B B A): a drift over a round weighs on both sides of a ratio.
    const ordered = <T>(list: T[]) => (round % 2 === 0 ? list : [...list].reverse())
    const measurements: Measurement[] = []
    for (const target of ordered(targets)) {
      for (const connections of ordered(CONCURRENCY)) {
        const requests = requestsPerRun.get(`${target.key}@${connections}`) as number
        const m = await measure(load, servers[target.setup], target, connections, requests)
        progress(`  ${describe(target, m)}`)
        measurements.push(m)
      }
    }
    rounds.push(measurements)
  }

  progress(`D1 per request: each Miniflare route ${D1_SECONDS} s worth of requests, one at a time, metered`)
  const d1: D1Usage[] = []
  for (const target of targets.filter(({ setup }) => setup !== 'workerd')) {
    const usage = await measureD1(load, servers[target.setup], target, meteredRequests.get(target.key) as number)
    const { before, after } = usage.perRequest
    progress(
      `  ${SETUP_LABELS[target.setup]}: ${target.label}, ${usage.requests} requests: D1 round trips ` +
        `${before.roundTrips.toFixed(2)} before the answer, ${after.roundTrips.toFixed(2)} after; ` +
        `D1 ms ${before.durationMs.toFixed(3)} before, ${after.durationMs.toFixed(3)} after`,
    )
    d1.push(usage)
  }

  progress(
    `One busy user: GET /api/auth/me ${BUSY_REQUESTS} times, one at a time, ACCOUNT_CACHE_MS 0 and ${BUSY_CACHE_MS}`,
  )
  const busy = await measureBusyUser(load, { off: servers.small, on: cached })
  for (const { cache, d1, run } of busy) {
    const { before, after } = d1.perRequest
    progress(
      `  cache ${cache}: ${((before.statements + after.statements) * 1000).toFixed(1)} D1 statements per 1,000, ` +
        `p50 ${run.p50Ms.toFixed(2)} ms, CPU ${run.cpuMsPerRequest.toFixed(3)} ms/req`,
    )
  }

  const rows = medians(targets, rounds.flat())
  const checks = evaluateChecks(rounds, nodeMs)
  const wallSeconds = (performance.now() - started) / 1000
  const tables = [
    `Medians of ${ROUNDS} rounds:\n\n${measurementsTable(targets, rows)}`,
    `Scenarios (ratios from each round; the median, then the range):\n\n${scenarioTable(checks, rows)}`,
    'D1 per request, before and after the response (one request at a time; D1 ms: the meta.duration D1 reports, ' +
      `summed over the requests; req/s one D1 serves: 1000 ÷ D1 ms before + after):\n\n${d1Table(targets, d1)}`,
    'API key ÷ token on `GET /api/orgs/{orgId}`, from the metered passes above (statements, round trips and ' +
      "D1 ms per request, before and after the response together; the key's pass starts with its last_used_at " +
      `cleared, so it sees the write a busy key makes once a minute):\n\n${d1ComparisonTable(targets, d1, 'large:org-key', 'large:org')}`,
    `One busy user, \`GET /api/auth/me\` ${BUSY_REQUESTS} times one at a time (Miniflare, 10 users), with the ` +
      `account cache off and on (metered pass for D1, then a plain pass for latency and CPU):\n\n${busyUserTable(busy, BUSY_CACHE_MS)}`,
  ]
  console.log(`\n${tables.join('\n\n')}\n`)
  const run = await writeResults({
    wallSeconds,
    settings: {
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      runSeconds: RUN_SECONDS,
      d1Seconds: D1_SECONDS,
      d1MinRequests: D1_MIN_REQUESTS,
      pbkdf2Iterations: iterations,
    },
    overrides: BENCH_OVERRIDES,
    users: USERS,
    organizations: {
      ...ORGANIZATIONS,
      inviting: INVITING_ORG,
      apiKey: { org: 'org-0', role: 'member', createdBy: 'owner' },
    },
    nodePbkdf2Ms: nodeMs,
    measurements: rounds.flatMap((measurements, round) => measurements.map((m) => ({ round: round + 1, ...m }))),
    medians: rows,
    checks,
    d1,
    busyUser: { cacheMs: BUSY_CACHE_MS, requests: BUSY_REQUESTS, setups: busy },
  })
  await writeBenchmarkDoc(run, tables)
  const targeted = checks.filter((check) => !check.informational)
  progress(
    `Wrote ${RESULTS_PATH} and the tables of ${BENCHMARK_DOC_PATH}; ${targeted.filter((c) => c.met).length} of ${targeted.length} targets met`,
  )
})
