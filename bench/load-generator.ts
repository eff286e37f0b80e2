/**
 * The load generator: a process of its own, so autocannon's work is not counted in
 * the Worker's CPU time nor slowed by the bench's. Started by `lib/load.ts`, it runs
 * one `LoadJob` per message and answers with its `LoadResult`.
 */
import autocannon from 'autocannon'
import type { LoadJob, LoadResult, NumberedBody } from './lib/load'

/** The `p`th percentile of ascending `sorted`, by the nearest rank. */
const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/**
 * Refresh chains: a pool holding one refresh token per connection. Each request takes one and
 * its answer puts the successor back, so no token is sent twice and every refresh rotates.
 * (autocannon resets a connection's `context` after each pass over `requests`: no use here.)
 */
function refreshChain(tokens: string[]): autocannon.Request[] {
  const pool = [...tokens]
  return [
    {
      setupRequest: (request) => ({ ...request, body: JSON.stringify({ refreshToken: pool.shift() }) }),
      onResponse: (status, body) => {
        if (status === 200) pool.push((JSON.parse(body) as { refreshToken: string }).refreshToken)
      },
    },
  ]
}

/** The next number of each `NumberedBody` template: no body is sent twice in a bench run. */
const nextNumber = new Map<string, number>()

/** A body per request from `template`: autocannon calls `setupRequest` once before each request it sends. */
function numberedBodies({ template, first, last }: NumberedBody): autocannon.Request[] {
  return [
    {
      setupRequest: (request) => {
        const n = nextNumber.get(template) ?? first
        if (n > last) throw new Error(`${template}: no number left after ${last}`)
        nextNumber.set(template, n + 1)
        return { ...request, body: template.replace('{n}', String(n)) }
      },
    },
  ]
}

function run(job: LoadJob): Promise<LoadResult> {
  // autocannon's own histograms count whole milliseconds; sub-millisecond answers need their own.
  const latencies: number[] = []
  const statuses: Record<string, number> = {}
  const started = performance.now()
  let finished = started
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        method: job.method,
        headers: job.headers,
        body: job.body,
        ...(job.refreshTokens && { requests: refreshChain(job.refreshTokens) }),
        ...(job.numberedBody && { requests: numberedBodies(job.numberedBody) }),
        connections: job.connections,
        amount: job.requests,
        // How soon autocannon notices that the last answer is in.
        sampleInt: 50,
        timeout: 30,
      },
      (error, result) => {
        if (error) return reject(error)
        latencies.sort((a, b) => a - b)
        resolve({
          requests: latencies.length,
          seconds: (finished - started) / 1000,
          p50Ms: percentile(latencies, 50),
          p99Ms: percentile(latencies, 99),
          statuses,
          errors: result.errors,
        })
      },
    )
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms)
      statuses[status] = (statuses[status] ?? 0) + 1
      finished = performance.now()
    })
  })
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: String(error) }),
  )
})
// The bench's end, however it ends, closes the channel: then this process ends too.
process.on('disconnect', () => process.exit(0))
