import { resolve } from 'node:path'
import { experimental_readRawConfig, unstable_readConfig } from 'wrangler'

/**
 * Checks that every wrangler environment in wrangler.toml defines what the top level does: wrangler
 * does not inherit `vars` or bindings, so a var added at the top level alone would leave a deployed
 * Worker with 503 `server_misconfigured`. Prints one line per problem and exits 1 if there is any.
 */

const config = resolve(import.meta.dirname, '../wrangler.toml')

type Settings = { vars: Record<string, unknown>; d1_databases: { binding: string; database_id?: string }[] }

// wrangler's declarations leave the config untyped; `vars` and `d1_databases` are all this reads.
const read = (env?: string): Settings => unstable_readConfig({ config, env }, { hideWarnings: true })

const top = read()
const envNames = Object.keys(experimental_readRawConfig({ config }).rawConfig.env ?? {})
const problems: string[] = []
if (envNames.length === 0) problems.push('wrangler.toml defines no [env.*]')

for (const name of envNames) {
  const env = read(name)
  for (const key of Object.keys(top.vars)) {
    if (!(key in env.vars)) problems.push(`[env.${name}.vars] lacks ${key}`)
  }
  for (const { binding } of top.d1_databases) {
    const database = env.d1_databases.find((d1) => d1.binding === binding)
    if (!database) problems.push(`[env.${name}] lacks the D1 binding ${binding}`)
    else if (!database.database_id) problems.push(`[env.${name}] D1 binding ${binding} has no database_id`)
  }
  // A deployed Worker must refuse plain HTTP; development is for localhost only.
  if (env.vars.ENVIRONMENT !== 'production') problems.push(`[env.${name}.vars] ENVIRONMENT is not "production"`)
}

for (const problem of problems) console.error(problem)
if (problems.length > 0) process.exitCode = 1
else console.log(`wrangler.toml: ${envNames.join(', ')} define every var and binding of the top level`)
