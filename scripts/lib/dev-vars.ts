import { randomBytes } from 'node:crypto'
import { appendFile, readFile, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import { projectRoot } from './wrangler'

const DEV_VARS = resolve(projectRoot, '.dev.vars')

/** The secrets local dev needs, each a fresh random value when .dev.vars has none. */
const GENERATED = ['JWT_SECRET', 'PASSWORD_PEPPER'] as const

const randomSecret = () => randomBytes(32).toString('base64url')

async function readDevVars(): Promise<string | undefined> {
  try {
    return await readFile(DEV_VARS, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * The local Worker's secrets and vars from .dev.vars (git-ignored), which `wrangler dev`
 * reads too. A missing file is written with a fresh random `JWT_SECRET` and
 * `PASSWORD_PEPPER` and `ENVIRONMENT=development`; a file without one of those secrets
 * (one written before peppers existed) gets it appended. Never prints a secret.
 *
 * @example
 * const { PASSWORD_PEPPER } = await ensureDevVars()
 */
export async function ensureDevVars(): Promise<Record<string, string | undefined>> {
  const existing = await readDevVars()
  if (existing === undefined) {
    const lines = GENERATED.map((name) => `${name}=${randomSecret()}`)
    const text = `${lines.join('\n')}\n# wrangler.toml says production, which refuses plain HTTP.\nENVIRONMENT=development\n`
    await writeFile(DEV_VARS, text, { flag: 'wx', mode: 0o600 })
    console.error(`Wrote .dev.vars with a new random ${GENERATED.join(' and ')}`)
    return parseEnv(text)
  }
  const vars = parseEnv(existing)
  const missing = GENERATED.filter((name) => !vars[name])
  if (missing.length === 0) return vars
  const added = missing.map((name) => `${name}=${randomSecret()}`).join('\n')
  await appendFile(DEV_VARS, `${existing.endsWith('\n') ? '' : '\n'}${added}\n`)
  console.error(`Added a new random ${missing.join(' and ')} to .dev.vars`)
  return parseEnv(`${existing}\n${added}`)
}
