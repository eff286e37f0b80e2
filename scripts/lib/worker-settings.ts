import { resolve } from 'node:path'
import { pbkdf2Iterations } from '../../src/config'
import { CliError } from './run-cli'
import { projectRoot } from './wrangler'

/**
 * The PBKDF2 iteration count the Worker hashes with: `PBKDF2_ITERATIONS` from wrangler.toml
 * [vars], range-checked by the Worker's own `pbkdf2Iterations`. Loading wrangler takes a few
 * seconds, so it is imported only when this is called.
 */
export async function workerPbkdf2Iterations(): Promise<number> {
  const { unstable_readConfig } = await import('wrangler')
  try {
    // wrangler's declarations leave the config untyped; `vars` is all this reads.
    const { vars }: { vars: Record<string, unknown> } = unstable_readConfig(
      { config: resolve(projectRoot, 'wrangler.toml') },
      { hideWarnings: true },
    )
    const raw = vars.PBKDF2_ITERATIONS
    // A TOML number reaches the Worker as a number, which `Number()` reads as it does this string.
    return pbkdf2Iterations({ PBKDF2_ITERATIONS: raw === undefined ? undefined : String(raw) } as Env)
  } catch (error) {
    throw new CliError(`wrangler.toml: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`)
  }
}
