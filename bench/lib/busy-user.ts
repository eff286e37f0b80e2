import { type D1Usage, measureD1 } from './d1-usage'
import type { LoadGenerator } from './load'
import { type Measurement, measure } from './measure'
import type { MiniflareServer } from './miniflare-server'
import { logIn } from './session'
import type { Target } from './targets'

/** The account cache's lifetime in the cached setup, as the goal names it. */
export const BUSY_CACHE_MS = '1000'
/** Requests of the one busy user, one at a time, per setup. */
export const BUSY_REQUESTS = 1000

/** One setup's figures for one user calling `GET /api/auth/me` over and over. */
export type BusyUser = { cache: 'off' | 'on'; d1: D1Usage; run: Measurement }

/**
 * One user's `GET /api/auth/me`, `BUSY_REQUESTS` times one at a time, on a server with the account
 * cache off and one with it on: D1 reads per request (metered), then latency and CPU (a plain run).
 */
export async function measureBusyUser(
  load: LoadGenerator,
  servers: { off: MiniflareServer; on: MiniflareServer },
): Promise<BusyUser[]> {
  const results: BusyUser[] = []
  for (const cache of ['off', 'on'] as const) {
    const server = servers[cache]
    const { token } = await logIn(server)
    const target: Target = {
      key: `busy:${cache}`,
      setup: 'small',
      label: `GET /api/auth/me, one user, cache ${cache}`,
      method: 'GET',
      path: '/api/auth/me',
      headers: { Authorization: `Bearer ${token}` },
      status: 200,
    }
    const d1 = await measureD1(load, server, target, BUSY_REQUESTS)
    const run = await measure(load, server, target, 1, BUSY_REQUESTS)
    results.push({ cache, d1, run })
  }
  return results
}
