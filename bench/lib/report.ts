import { readFile, writeFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { projectRoot } from '../../scripts/lib/project-root'
import type { BusyUser } from './busy-user'
import type { CheckResult } from './checks'
import { TICK_MS } from './cpu-time'
import type { D1Usage } from './d1-usage'
import type { Measurement } from './measure'
import { runtimeVersions } from './runtime'
import { median } from './stats'
import { SETUP_LABELS, type Target } from './targets'

/** Where `npm run bench` writes every measurement, committed with docs/benchmark.md's tables. */
export const RESULTS_PATH = resolve(projectRoot, 'bench/results.json')

/** The page whose results block `npm run bench` rewrites; the prose around it is written by hand. */
export const BENCHMARK_DOC_PATH = resolve(projectRoot, 'docs/benchmark.md')
const BLOCK_START = '<!-- bench:results -->'
const BLOCK_END = '<!-- /bench:results -->'

/** A Markdown table with its columns padded, readable on a terminal as in docs/benchmark.md. */
function markdownTable(header: string[], rows: string[][]): string {
  // At least three wide, as Biome formats a table's delimiter row: the page stays lint-clean as written.
  const widths = header.map((title, i) => Math.max(3, title.length, ...rows.map((row) => row[i].length)))
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '—')
const ms = (value: number) => fixed(value, value < 10 ? 2 : 1)

/** The median of each target at each concurrency over all rounds. */
export function medians(targets: Target[], measurements: Measurement[]) {
  return targets.flatMap((target) =>
    [1, 10].map((connections) => {
      const runs = measurements.filter((m) => m.target === target.key && m.connections === connections)
      const of = (metric: (m: Measurement) => number) => median(runs.map(metric))
      return {
        target: target.key,
        connections,
        requestsPerSecond: of((m) => m.requestsPerSecond),
        p50Ms: of((m) => m.p50Ms),
        p99Ms: of((m) => m.p99Ms),
        cpuMsPerRequest: of((m) => m.cpuMsPerRequest),
        requestsPerRun: of((m) => m.requests),
        unexpected: runs.reduce((total, m) => total + m.unexpected, 0),
      }
    }),
  )
}

type Median = ReturnType<typeof medians>[number]

/** Every target's medians: the numbers the scenarios compare. */
export function measurementsTable(targets: Target[], rows: Median[]): string {
  const labels = new Map(targets.map((target) => [target.key, target]))
  return markdownTable(
    ['route', 'setup', 'c', 'req/s', 'p50 ms', 'p99 ms', 'CPU/req ms', 'req/run', 'unexpected'],
    rows.map((row) => {
      const target = labels.get(row.target) as Target
      return [
        target.label,
        SETUP_LABELS[target.setup],
        String(row.connections),
        fixed(row.requestsPerSecond, 0),
        ms(row.p50Ms),
        ms(row.p99Ms),
        fixed(row.cpuMsPerRequest, 3),
        fixed(row.requestsPerRun, 0),
        String(row.unexpected),
      ]
    }),
  )
}

/** One row per scenario and concurrency: its own numbers, its reference, the ratio and the target. */
export function scenarioTable(checks: CheckResult[], rows: Median[]): string {
  const value = (check: CheckResult, v: number) =>
    check.unit === 'ms' ? `${v >= 0 ? '+' : ''}${v.toFixed(2)} ms` : v.toFixed(2)
  return markdownTable(
    ['scenario', 'c', 'req/s', 'p50 ms', 'p99 ms', 'CPU/req ms', 'reference', 'ratio (min–max)', 'target', 'met?'],
    checks.map((check) => {
      const own = rows.find((row) => row.target === check.subject && row.connections === check.connections) as Median
      return [
        check.scenario,
        String(check.connections),
        fixed(own.requestsPerSecond, 0),
        ms(own.p50Ms),
        ms(own.p99Ms),
        fixed(own.cpuMsPerRequest, 3),
        check.reference,
        `${value(check, check.median)} (${value(check, check.min)}–${value(check, check.max)})`,
        check.target,
        check.informational ? '—' : check.met ? 'yes' : 'NO',
      ]
    }),
  )
}

/**
 * Each metered target's D1 use per request, before and after the answer, and the requests
 * per second one database serves at that D1 time; then any statements without a duration.
 */
export function d1Table(targets: Target[], usages: D1Usage[]): string {
  const labels = new Map(targets.map((target) => [target.key, target]))
  const table = markdownTable(
    [
      'route',
      'setup',
      'requests',
      'round trips before',
      'after',
      'statements before',
      'after',
      'D1 ms before',
      'after',
      'req/s one D1 serves',
    ],
    usages.map(({ target, requests, perRequest: { before, after }, requestsPerSecondPerDatabase }) => {
      const { label, setup } = labels.get(target) as Target
      return [
        label,
        SETUP_LABELS[setup],
        String(requests),
        fixed(before.roundTrips, 2),
        fixed(after.roundTrips, 2),
        fixed(before.statements, 2),
        fixed(after.statements, 2),
        fixed(before.durationMs, 3),
        fixed(after.durationMs, 3),
        requestsPerSecondPerDatabase === null ? '—' : fixed(requestsPerSecondPerDatabase, 0),
      ]
    }),
  )
  const without = usages.flatMap(({ target, totals: { before, after } }) =>
    before.withoutDuration + after.withoutDuration > 0
      ? [`${target}: ${before.withoutDuration} before, ${after.withoutDuration} after`]
      : [],
  )
  return without.length === 0
    ? table
    : `${table}\n\nStatements answered without meta.duration (not in D1 ms): ${without.join('; ')}`
}

/**
 * `subject`'s D1 use per request beside `reference`'s, from their metered passes, then subject ÷ reference.
 * The statements after the answer are also given in all: a write once a minute is far below 0.01 per request.
 */
export function d1ComparisonTable(targets: Target[], usages: D1Usage[], subject: string, reference: string): string {
  const labels = new Map(targets.map((target) => [target.key, target.label]))
  const usageOf = (key: string) => {
    const usage = usages.find((u) => u.target === key)
    if (!usage) throw new Error(`No metered pass of ${key}`)
    return usage
  }
  const figures = ({ perRequest: { before, after } }: D1Usage) => ({
    statements: before.statements + after.statements,
    roundTrips: before.roundTrips + after.roundTrips,
    durationMs: before.durationMs + after.durationMs,
  })
  const [own, ref] = [usageOf(subject), usageOf(reference)]
  const [a, b] = [figures(own), figures(ref)]
  return markdownTable(
    ['route', 'requests', 'statements before', 'statements after, in all', 'statements', 'round trips', 'D1 ms'],
    [
      ...[ref, own].map((usage) => {
        const { statements, roundTrips, durationMs } = figures(usage)
        return [
          labels.get(usage.target) ?? usage.target,
          String(usage.requests),
          fixed(usage.perRequest.before.statements, 2),
          String(usage.totals.after.statements),
          fixed(statements, 3),
          fixed(roundTrips, 3),
          fixed(durationMs, 3),
        ]
      }),
      [
        'ratio',
        '',
        fixed(own.perRequest.before.statements / ref.perRequest.before.statements, 2),
        '',
        fixed(a.statements / b.statements, 3),
        fixed(a.roundTrips / b.roundTrips, 3),
        fixed(a.durationMs / b.durationMs, 2),
      ],
    ],
  )
}

async function cpuModel(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8')
  return /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? 'unknown'
}

// Four significant digits are plenty for noise-limited numbers, and keep the file readable.
/**
 * One busy user with the account cache off and on: D1 statements and round trips per 1,000 requests,
 * latency and CPU; the last row divides the cached figures by the uncached ones.
 */
export function busyUserTable(rows: BusyUser[], cacheMs: string): string {
  const per1000 = (value: number) => fixed(value * 1000, 1)
  const [off, on] = rows
  return markdownTable(
    ['ACCOUNT_CACHE_MS', 'D1 statements per 1,000', 'D1 round trips per 1,000', 'p50 ms', 'CPU ms/req'],
    [
      ...rows.map(({ cache, d1: { perRequest }, run }) => [
        cache === 'off' ? '0' : cacheMs,
        per1000(perRequest.before.statements + perRequest.after.statements),
        per1000(perRequest.before.roundTrips + perRequest.after.roundTrips),
        ms(run.p50Ms),
        fixed(run.cpuMsPerRequest, 3),
      ]),
      [
        'on ÷ off',
        '',
        '',
        fixed(on.run.p50Ms / off.run.p50Ms, 2),
        fixed(on.run.cpuMsPerRequest / off.run.cpuMsPerRequest, 2),
      ],
    ],
  )
}

const rounded = (_key: string, value: unknown) =>
  typeof value === 'number' && !Number.isInteger(value) ? Number(value.toPrecision(4)) : value

/** Writes `RESULTS_PATH`: the machine, the versions, every measurement, the medians and the checks. */
export async function writeResults(results: Record<string, unknown>) {
  const document = {
    date: new Date().toISOString(),
    machine: { cpuModel: await cpuModel(), cores: availableParallelism(), clockTickMs: TICK_MS },
    versions: await runtimeVersions(),
    ...results,
  }
  await writeFile(RESULTS_PATH, `${JSON.stringify(document, rounded, 2)}\n`)
  return document
}

type Run = Pick<Awaited<ReturnType<typeof writeResults>>, 'date' | 'machine' | 'versions'>

/** Replaces docs/benchmark.md's results block with when and where this run was, then its tables. */
export async function writeBenchmarkDoc({ date, machine, versions }: Run, tables: string[]): Promise<void> {
  const doc = await readFile(BENCHMARK_DOC_PATH, 'utf8')
  const start = doc.indexOf(BLOCK_START)
  const end = doc.indexOf(BLOCK_END)
  if (start === -1 || end < start) throw new Error(`${BENCHMARK_DOC_PATH} has no ${BLOCK_START} … ${BLOCK_END} block`)
  const run =
    `Run of ${date.slice(0, 10)} on ${machine.cores} cores of ${machine.cpuModel} (Node ${versions.node.replace(/^v/, '')}, ` +
    `workerd ${versions.workerd}, wrangler ${versions.wrangler}, hono ${versions.hono}).`
  const block = [run, ...tables].join('\n\n')
  await writeFile(BENCHMARK_DOC_PATH, `${doc.slice(0, start + BLOCK_START.length)}\n${block}\n${doc.slice(end)}`)
}
