import { randomBytes } from 'node:crypto'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { MIN_SECRET_BYTES } from '../../src/settings'
import { projectRoot } from './project-root'
import { CliError } from './run-cli'

const DEV_VARS = resolve(projectRoot, '.dev.vars')
const EXAMPLE = resolve(projectRoot, '.dev.vars.example')

/** The secrets local dev needs, each a fresh random value when .dev.vars has none. */
const GENERATED = ['JWT_SECRET', 'PASSWORD_PEPPER'] as const
const SECRETS = [...GENERATED, 'JWT_SECRET_PREVIOUS', 'PASSWORD_PEPPER_PREVIOUS'] as const

const randomSecret = () => randomBytes(32).toString('base64url')

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** What in `vars` would make the local Worker fail or misbehave, each with its fix. */
async function problemsOf(vars: Record<string, string | undefined>): Promise<string[]> {
  const example = parseEnv((await readIfExists(EXAMPLE)) ?? '')
  const problems: string[] = []
  for (const name of SECRETS) {
    const value = vars[name]
    // An empty *_PREVIOUS means no rotation is under way.
    if (value === undefined || (value === '' && name.endsWith('_PREVIOUS'))) continue
    if (value === example[name]) {
      problems.push(`${name} is still the placeholder from .dev.vars.example: delete its line to get a random one`)
    } else if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
      problems.push(`${name} is shorter than ${MIN_SECRET_BYTES} bytes: delete its line to get a random one`)
    }
  }
  return problems
}

/**
 * The local Worker's secrets and vars from .dev.vars (git-ignored), which `wrangler dev`
 * reads too. A missing file is written with a fresh random `JWT_SECRET` and
 * `PASSWORD_PEPPER` and `ENVIRONMENT=development`; a file without one of those (one
 * written by hand, or before peppers existed) gets it appended. A file the local Worker
 * could not run with (a short or placeholder secret) is a `CliError` naming each problem
 * and its fix. Never prints a secret.
 *
 * @example
 * const { PASSWORD_PEPPER } = await ensureDevVars()
 */
export async function ensureDevVars(): Promise<Record<string, string | undefined>> {
  const existing = await readIfExists(DEV_VARS)
  if (existing === undefined) {
    const lines = GENERATED.map((name) => `${name}=${randomSecret()}`)
    const text = `${lines.join('\n')}\n# wrangler.toml says production, which refuses plain HTTP.\nENVIRONMENT=development\n`
    await writeFile(DEV_VARS, text, { flag: 'wx', mode: 0o600 })
    console.error(`Wrote .dev.vars with a new random ${GENERATED.join(' and ')}`)
    return parseEnv(text)
  }
  const vars = parseEnv(existing)
  const problems = await problemsOf(vars)
  if (problems.length > 0) throw new CliError(`.dev.vars needs fixing:\n- ${problems.join('\n- ')}`)
  if (vars.ENVIRONMENT !== undefined && vars.ENVIRONMENT !== 'development') {
    console.error(`.dev.vars sets ENVIRONMENT=${vars.ENVIRONMENT}: plain http://localhost will answer 403`)
  }
  const additions = [
    ...GENERATED.filter((name) => !vars[name]).map((name) => [`${name}=${randomSecret()}`, `a new random ${name}`]),
    ...(vars.ENVIRONMENT === undefined ? [['ENVIRONMENT=development', 'ENVIRONMENT=development']] : []),
  ]
  if (additions.length === 0) return vars
  const added = additions.map(([line]) => line).join('\n')
  await appendFile(DEV_VARS, `${existing.endsWith('\n') ? '' : '\n'}${added}\n`)
  console.error(`Added ${additions.map(([, said]) => said).join(' and ')} to .dev.vars`)
  return parseEnv(`${existing}\n${added}`)
}
