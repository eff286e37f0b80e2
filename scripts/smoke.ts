import { parseArgs } from 'node:util'
import { CliError, runCli } from './lib/run-cli'
import { authChecks } from './lib/smoke-auth'
import { publicChecks } from './lib/smoke-checks'
import { type Check, CheckFailed } from './lib/smoke-http'

const USAGE =
  'usage: npm run smoke -- --url https://api.example.com [--username NAME] (password in SMOKE_PASSWORD, or --password)'

function parseArguments(args: string[]) {
  const usageError = (problem: string) => new CliError(`${problem}; ${USAGE}`, 2)
  let values: { url?: string; username?: string; password?: string }
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { url: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } },
    }).values
  } catch (error) {
    throw usageError(error instanceof Error ? error.message.split(/\.\s/)[0] : String(error))
  }
  if (values.url === undefined) throw usageError('--url is required')
  let base: URL
  try {
    base = new URL(values.url)
  } catch {
    throw usageError(`--url ${values.url} is not a URL`)
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw usageError('--url must be http:// or https://')
  // The environment first: a flag stays in the shell's history.
  const password = process.env.SMOKE_PASSWORD || values.password
  if (values.username === undefined && values.password !== undefined) throw usageError('--password needs --username')
  if (values.username !== undefined && password === undefined) {
    throw usageError('--username needs a password: SMOKE_PASSWORD or --password')
  }
  const credentials =
    values.username === undefined || password === undefined ? undefined : { username: values.username, password }
  return { base, credentials }
}

type Result = 'passed' | 'skipped' | 'failed'

async function run(check: Check): Promise<Result> {
  try {
    const outcome = await check.run()
    if (outcome !== undefined && 'skipped' in outcome) {
      console.log(`- ${check.name}: skipped, ${outcome.skipped}`)
      return 'skipped'
    }
    console.log(`✓ ${check.name}${outcome === undefined ? '' : ` (${outcome.note})`}`)
    return 'passed'
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error
    console.log(`✗ ${check.name}: expected ${error.expected}, saw ${error.seen}`)
    return 'failed'
  }
}

await runCli(async () => {
  const { base, credentials } = parseArguments(process.argv.slice(2))
  const checks = [...publicChecks(base), ...(credentials === undefined ? [] : authChecks(base, credentials))]
  const tally: Record<Result, number> = { passed: 0, skipped: 0, failed: 0 }
  // In order: the auth checks share one session.
  for (const check of checks) tally[await run(check)] += 1
  console.log(`${base.origin}: ${tally.passed} passed, ${tally.skipped} skipped, ${tally.failed} failed`)
  return tally.failed === 0 ? 0 : 1
})
