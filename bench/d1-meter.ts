/**
 * D1 use per request in the bench build: round trips, statements and the time D1 reports
 * (`meta.duration`), before the answer and after it. Only requests that carry
 * `D1_METER_HEADER` are metered; the harness reads the totals through `/bench/d1-stats`.
 */

/** Requests with this header are metered; all others run exactly as the production Worker does. */
export const D1_METER_HEADER = 'X-Bench-D1-Meter'

/** D1 use on one side of the answer, summed over requests. */
export type D1Side = {
  /** Calls that reached D1: one per `run`, `all`, `first`, `raw`, `batch` or `exec`. */
  roundTrips: number
  /** Statements D1 answered: a batch counts as many as it holds. */
  statements: number
  /** The sum of every statement's `meta.duration`, in ms. */
  durationMs: number
  /** Statements answered without a numeric `meta.duration` (a failed one has none): not in `durationMs`. */
  withoutDuration: number
  /** Statements by the `meta.duration` they reported: a sum of a few slow ones and many fast ones says so. */
  byDuration: Record<string, number>
}

/** Metered requests counted since the last reset, and those whose `waitUntil` work has not ended yet. */
export type D1Totals = { requests: number; unfinished: number; before: D1Side; after: D1Side }

const noUse = (): D1Side => ({ roundTrips: 0, statements: 0, durationMs: 0, withoutDuration: 0, byDuration: {} })

const countIn = (counts: Record<string, number>, key: string, count = 1) => {
  counts[key] = (counts[key] ?? 0) + count
}

let totals: D1Totals = { requests: 0, unfinished: 0, before: noUse(), after: noUse() }

/** The totals so far; with `reset`, counting starts over (requests still unfinished stay so). */
export function d1Totals(reset: boolean): D1Totals {
  const current = totals
  if (reset) totals = { requests: 0, unfinished: current.unfinished, before: noUse(), after: noUse() }
  return current
}

/** Counts one round trip and each statement of D1's answer to it. */
function countAnswer(side: D1Side, answer: unknown): void {
  side.roundTrips++
  for (const result of Array.isArray(answer) ? answer : [answer]) {
    const duration = (result as { meta?: { duration?: unknown } } | undefined)?.meta?.duration
    side.statements++
    if (typeof duration === 'number') {
      side.durationMs += duration
      countIn(side.byDuration, String(duration))
    } else side.withoutDuration++
  }
}

function addTo(sum: D1Side, side: D1Side): void {
  sum.roundTrips += side.roundTrips
  sum.statements += side.statements
  sum.durationMs += side.durationMs
  sum.withoutDuration += side.withoutDuration
  for (const [duration, count] of Object.entries(side.byDuration)) countIn(sum.byDuration, duration, count)
}

// workerd's D1 binding (`cloudflare-internal:d1-api`) sends each call, a batch included, as
// one HTTP request through its `fetcher`, and D1 answers with every statement's `meta`. Its
// `raw()` and `first()` drop that `meta` before the caller sees it, and drizzle's `.get()`
// uses `raw()`, so the statements' methods cannot be metered: the fetcher can.
type D1Binding = D1Database & { fetcher?: Fetcher }
type D1BindingClass = new (fetcher: Pick<Fetcher, 'fetch'>) => D1Database

/**
 * A D1 binding for one request, over the same database as `db`: each answer D1 sends is
 * counted on the side `sideNow` names when it arrives, and `track` gets every call.
 */
function meteredDatabase(db: D1Database, sideNow: () => D1Side, track: (call: Promise<unknown>) => void): D1Database {
  const { fetcher } = db as D1Binding
  if (!fetcher) throw new Error('env.DB has no fetcher: this workerd builds D1 differently; update bench/d1-meter.ts')
  const Binding = db.constructor as D1BindingClass
  return new Binding({
    fetch(input, init) {
      const call = fetcher.fetch(input, init).then(async (response) => {
        const side = sideNow()
        // An answer that is not JSON is the binding's error to raise, not the meter's.
        const answer: unknown = await response
          .clone()
          .json()
          .catch(() => undefined)
        countAnswer(side, answer)
        return response
      })
      track(call)
      return call
    },
  })
}

type FetchHandler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>

/**
 * Runs `handle` with a metered `env.DB`. A round trip whose answer arrived before
 * `handle` resolved counts as before the answer; one whose answer arrived later (work
 * handed to `ctx.waitUntil`, which the answer does not wait for) counts as after it.
 * The request is added to the totals once its `waitUntil` work and D1 calls have ended.
 *
 * @example
 * fetch: (request, env, ctx) => meterD1(request, env, ctx, app.fetch)
 */
export async function meterD1(request: Request, env: Env, ctx: ExecutionContext, handle: FetchHandler) {
  const use = { before: noUse(), after: noUse() }
  const outstanding: Promise<unknown>[] = []
  let answered = false
  totals.unfinished++
  const DB = meteredDatabase(
    env.DB,
    () => (answered ? use.after : use.before),
    (call) => outstanding.push(call),
  )
  const meteredCtx = new Proxy(ctx, {
    get(target, key) {
      if (key === 'waitUntil') {
        return (promise: Promise<unknown>) => {
          outstanding.push(promise)
          target.waitUntil(promise)
        }
      }
      const value = Reflect.get(target, key)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const settle = async () => {
    // `waitUntil` work may start more D1 calls and more `waitUntil` work: wait until none is left.
    while (outstanding.length > 0) await Promise.allSettled(outstanding.splice(0))
    totals.requests++
    totals.unfinished--
    addTo(totals.before, use.before)
    addTo(totals.after, use.after)
  }
  try {
    return await handle(request, { ...env, DB }, meteredCtx)
  } finally {
    answered = true
    ctx.waitUntil(settle())
  }
}
