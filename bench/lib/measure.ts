import { cpuMs, waitForIdle } from './cpu-time'
import type { LoadGenerator } from './load'
import type { Server } from './server'
import { logIn } from './session'
import type { Target } from './targets'

/** One run of one target at one concurrency: the client's view and the Worker's CPU time. */
export type Measurement = {
  target: string
  connections: number
  requests: number
  seconds: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** workerd's CPU time (user + system) over the run, its `waitUntil` work included, per answer. */
  cpuMsPerRequest: number
  /** Answers without the target's status, and failed connections. */
  unexpected: number
  /** False if workerd was still busy 3 s after the last answer (then CPU/request is too high). */
  settled: boolean
}

let runs = 0

/**
 * Sends `requests` of `target` from `connections` clients once its server is idle, and
 * reads the server's CPU time before and after (after it is idle again). Each run comes
 * from its own `CF-Connecting-IP`, so the login limiter's per-IP counters start afresh.
 */
export async function measure(
  load: LoadGenerator,
  server: Server,
  target: Target,
  connections: number,
  requests: number,
): Promise<Measurement> {
  runs++
  const clientIp = `127.0.${Math.floor(runs / 256) % 256}.${runs % 256}`
  // Logged in before the CPU time is read: a chain's logins are not part of what it measures.
  const refreshTokens = target.refreshChain ? await freshRefreshTokens(server, connections) : undefined
  await waitForIdle(server.pid)
  const before = await cpuMs(server.pid)
  const result = await load.run({
    url: server.url + target.path,
    method: target.method,
    headers: { ...target.headers, 'CF-Connecting-IP': clientIp },
    body: target.body,
    connections,
    requests,
    refreshTokens,
    numberedBody: target.numberedBody,
  })
  const settled = await waitForIdle(server.pid)
  const cpu = (await cpuMs(server.pid)) - before
  const expected = result.statuses[target.status] ?? 0
  await target.afterRun?.(expected)
  return {
    target: target.key,
    connections,
    requests: result.requests,
    seconds: result.seconds,
    requestsPerSecond: result.requests / result.seconds,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    cpuMsPerRequest: cpu / result.requests,
    unexpected: result.requests - expected + result.errors,
    settled,
  }
}

/** A refresh token of a login of its own for each of `connections`. */
const freshRefreshTokens = (server: Server, connections: number) =>
  Promise.all(Array.from({ length: connections }, async () => (await logIn(server)).refreshToken))

/** Sends `target` once and refuses to go on unless the answer has the target's status. */
export async function preflight(server: Server, target: Target): Promise<void> {
  const { method, headers } = target
  const [refreshToken] = target.refreshChain ? await freshRefreshTokens(server, 1) : []
  const body = refreshToken === undefined ? target.body : JSON.stringify({ refreshToken })
  const response = await fetch(server.url + target.path, { method, headers, body })
  const text = await response.text()
  if (response.status !== target.status) {
    throw new Error(`${target.key} answered ${response.status}, not ${target.status}: ${text.slice(0, 300)}`)
  }
  await target.afterRun?.(1)
}
