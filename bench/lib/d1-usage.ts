import { setTimeout as sleep } from 'node:timers/promises'
import { D1_METER_HEADER, type D1Side, type D1Totals } from '../d1-meter'
import type { LoadGenerator } from './load'
import { measure } from './measure'
import type { Server } from './server'
import type { Target } from './targets'

/** D1 use on one side of the answer, per request. */
type PerRequest = Omit<D1Side, 'byDuration'>

/** A target's D1 use from one metered pass: the totals, per request, and what one database could serve. */
export type D1Usage = {
  target: string
  /** Requests metered: every answer of the pass. */
  requests: number
  totals: { before: D1Side; after: D1Side }
  perRequest: { before: PerRequest; after: PerRequest }
  /**
   * 1000 ÷ D1 ms per request (before and after the answer): requests per second one
   * database serves if it runs one statement at a time; null where no D1 time was reported.
   */
  requestsPerSecondPerDatabase: number | null
}

async function readTotals(server: Server, reset: boolean): Promise<D1Totals> {
  const response = await fetch(`${server.url}/bench/d1-stats${reset ? '?reset=1' : ''}`)
  if (!response.ok) throw new Error(`/bench/d1-stats answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as D1Totals
}

/** The totals once every metered request's `waitUntil` work has ended; counting then starts over. */
async function settledTotals(server: Server): Promise<D1Totals> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const { unfinished } = await readTotals(server, false)
    if (unfinished === 0) return readTotals(server, true)
    if (Date.now() > deadline) throw new Error(`${unfinished} metered requests still unfinished after 10 s`)
    await sleep(50)
  }
}

const perRequest = (side: D1Side, requests: number): PerRequest => ({
  roundTrips: side.roundTrips / requests,
  statements: side.statements / requests,
  durationMs: side.durationMs / requests,
  withoutDuration: side.withoutDuration / requests,
})

/**
 * Sends `requests` of `target`, one at a time and metered (`D1_METER_HEADER`), and reads
 * what the bench build counted: D1 round trips, statements and the time D1 reported,
 * before the answer and after it.
 */
export async function measureD1(
  load: LoadGenerator,
  server: Server,
  target: Target,
  requests: number,
): Promise<D1Usage> {
  await settledTotals(server)
  await target.beforeMeteredPass?.()
  const metered = { ...target, headers: { ...target.headers, [D1_METER_HEADER]: '1' } }
  const run = await measure(load, server, metered, 1, requests)
  if (run.unexpected > 0) throw new Error(`Metered ${target.key}: ${run.unexpected} unexpected answers`)
  const { requests: counted, before, after } = await settledTotals(server)
  if (counted !== run.requests) throw new Error(`Metered ${target.key}: ${run.requests} answers, ${counted} counted`)
  const msPerRequest = (before.durationMs + after.durationMs) / counted
  return {
    target: target.key,
    requests: counted,
    totals: { before, after },
    perRequest: { before: perRequest(before, counted), after: perRequest(after, counted) },
    requestsPerSecondPerDatabase: msPerRequest > 0 ? 1000 / msPerRequest : null,
  }
}
