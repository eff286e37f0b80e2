import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse } from 'smol-toml'
import { z } from 'zod'
import type { Hashing } from '../../src/auth/passwords'
import { ConfigError, organizationLimitsOf, passwordsOf } from '../../src/settings'
import type { D1Target } from './database'
import { ensureDevVars } from './dev-vars'
import { projectRoot } from './project-root'
import { CliError } from './run-cli'

const Vars = z.record(z.string(), z.unknown())
/** The part of wrangler.toml this reads. */
const WranglerToml = z.object({
  vars: Vars.optional(),
  env: z.record(z.string(), z.object({ vars: Vars.optional() })).optional(),
})
type WranglerToml = z.infer<typeof WranglerToml>

/**
 * The var `name` from wrangler.toml's [vars], or its environment's with CLOUDFLARE_ENV set, as
 * that Worker reads it; parsed here, since importing wrangler for it took most of a command's time.
 */
async function workerVar(name: keyof Env): Promise<string | undefined> {
  let config: WranglerToml
  try {
    config = WranglerToml.parse(parse(await readFile(resolve(projectRoot, 'wrangler.toml'), 'utf8')))
  } catch (error) {
    throw new CliError(`wrangler.toml: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
  const env = process.env.CLOUDFLARE_ENV
  const vars = env ? config.env?.[env]?.vars : config.vars
  if (env && vars === undefined) throw new CliError(`wrangler.toml has no [env.${env}.vars] (CLOUDFLARE_ENV=${env})`)
  const raw = vars?.[name]
  // A TOML number reaches the Worker as a number, which `Number()` reads as it does this string.
  return raw === undefined ? undefined : String(raw)
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
  const [iterations, pepper] = await Promise.all([workerVar('PBKDF2_ITERATIONS'), workerPepper(target)])
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

/**
 * The most live API keys an organization may hold on the Worker whose wrangler.toml this reads
 * (`MAX_API_KEYS_PER_ORG`), checked as the Worker checks it.
 *
 * @example
 * const maxLive = await workerMaxApiKeys()
 * // 50
 */
export async function workerMaxApiKeys(): Promise<number> {
  const raw = await workerVar('MAX_API_KEYS_PER_ORG')
  try {
    return organizationLimitsOf({ MAX_API_KEYS_PER_ORG: raw }).maxApiKeysPerOrg
  } catch (error) {
    throw new CliError(`wrangler.toml: ${error instanceof Error ? error.message : String(error)}`)
  }
}
