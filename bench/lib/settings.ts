import { resolve } from 'node:path'
import { projectRoot } from '../../scripts/lib/project-root'

/** Secrets for the bench only: tokens signed and hashes made with them are good for nothing else. */
const BENCH_SECRETS = {
  JWT_SECRET: 'bench-only-jwt-secret-never-deployed-0123456789abcdef',
  PASSWORD_PEPPER: 'bench-only-password-pepper-never-deployed-0123456789',
}

/** The vars the bench sets differently from wrangler.toml, printed with every run. */
export const BENCH_OVERRIDES = {
  // `production` refuses plain HTTP; the bench talks to http://127.0.0.1.
  ENVIRONMENT: 'development',
  // The brute-force limiter at the highest counts it accepts, so failed-login runs are not answered 429.
  LOGIN_MAX_FAILURES_ACCOUNT_IP: '1000',
  LOGIN_MAX_FAILURES_ACCOUNT: '100000',
  LOGIN_MAX_FAILURES_IP: '1000000',
  // Invitation limits at the highest counts they accept; each run's invitations are deleted after it.
  MAX_PENDING_INVITATIONS: '10000',
  MAX_INVITATIONS_PER_HOUR: '10000',
  // Each connection's refresh chain rotates one login dozens of times a second: no 429 either.
  REFRESH_ROTATIONS_PER_MINUTE: '60000',
}

/** How both setups run the bench build: wrangler.toml's dates and flags, its vars with the bench's overrides. */
export type WorkerSettings = {
  compatibilityDate: string
  compatibilityFlags: string[]
  bindings: Record<string, string>
}

// wrangler's declarations leave the config untyped; these fields are all the bench reads.
type ReadConfig = { compatibility_date: string; compatibility_flags: string[]; vars: Record<string, unknown> }

/**
 * wrangler.toml's compatibility settings and vars, with `BENCH_OVERRIDES` and bench-only
 * secrets. Refuses a bench config whose compatibility settings have drifted from it.
 */
export async function workerSettings(): Promise<WorkerSettings> {
  const { unstable_readConfig } = await import('wrangler')
  const read = (path: string): ReadConfig =>
    unstable_readConfig({ config: resolve(projectRoot, path) }, { hideWarnings: true })
  const production = read('wrangler.toml')
  const bench = read('bench/wrangler.bench.toml')
  const compatibility = (config: ReadConfig) => JSON.stringify([config.compatibility_date, config.compatibility_flags])
  if (compatibility(bench) !== compatibility(production)) {
    throw new Error('bench/wrangler.bench.toml: compatibility_date and _flags must be those of wrangler.toml')
  }
  const vars = Object.entries(production.vars).map(([name, value]) => [name, String(value)])
  return {
    compatibilityDate: production.compatibility_date,
    compatibilityFlags: production.compatibility_flags,
    bindings: { ...Object.fromEntries(vars), ...BENCH_OVERRIDES, ...BENCH_SECRETS },
  }
}
