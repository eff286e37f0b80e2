import { resolve } from 'node:path'
import type { Hashing } from '../../src/auth/passwords'
import { ConfigError, passwordsOf } from '../../src/settings'
import { ensureDevVars } from './dev-vars'
import { CliError } from './run-cli'
import { projectRoot } from './wrangler'
import type { D1Target } from './wrangler-d1'

/**
 * `PBKDF2_ITERATIONS` from wrangler.toml [vars], as the Worker reads it. Loading wrangler takes a
 * few seconds, so it is imported only when this is called.
 */
async function workerPbkdf2Iterations(): Promise<string | undefined> {
  const { unstable_readConfig } = await import('wrangler')
  try {
    // wrangler's declarations leave the config untyped; `vars` is all this reads.
    const { vars }: { vars: Record<string, unknown> } = unstable_readConfig(
      { config: resolve(projectRoot, 'wrangler.toml') },
      { hideWarnings: true },
    )
    const raw = vars.PBKDF2_ITERATIONS
    // A TOML number reaches the Worker as a number, which `Number()` reads as it does this string.
    return raw === undefined ? undefined : String(raw)
  } catch (error) {
    throw new CliError(`wrangler.toml: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
}

/**
 * The pepper of the Worker that serves `target`'s database. The local one's is in .dev.vars
 * (written if missing, as `npm run dev` does). A deployed Worker's secret cannot be read back
 * from Cloudflare, so for `--remote` the operator passes it in the environment.
 */
async function workerPepper(target: D1Target): Promise<string | undefined> {
  if (!target.remote) return (await ensureDevVars()).PASSWORD_PEPPER
  const pepper = process.env.PASSWORD_PEPPER
  if (!pepper) {
    throw new CliError(
      'PASSWORD_PEPPER must be set to the deployed Worker\'s pepper for --remote: PASSWORD_PEPPER="…" npm run …',
    )
  }
  return pepper
}

/**
 * How the Worker serving `target` hashes new passwords: its iterations and its current pepper,
 * so a password set here verifies there.
 *
 * @example
 * const hashing = await workerHashing({ remote: false })
 * await hashPassword(password, hashing)
 */
export async function workerHashing(target: D1Target): Promise<Hashing> {
  const [iterations, pepper] = await Promise.all([workerPbkdf2Iterations(), workerPepper(target)])
  try {
    // Checked by the Worker's own settings: the CLI refuses what the Worker would.
    return (await passwordsOf({ PBKDF2_ITERATIONS: iterations, PASSWORD_PEPPER: pepper ?? '' })).hashing
  } catch (error) {
    if (error instanceof ConfigError && error.setting === 'PBKDF2_ITERATIONS') {
      throw new CliError(`wrangler.toml: ${error.message}`)
    }
    throw new CliError(error instanceof Error ? error.message : String(error))
  }
}
