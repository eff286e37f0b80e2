import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { projectRoot } from '../../scripts/lib/project-root'
import { own } from './processes'

/** Everything the bench writes that is not a result (git-ignored): the bundle and the workerd config. */
const outDir = resolve(projectRoot, 'bench/out')

/** The bench build's bundle: one ES module, as `wrangler deploy` would upload it. */
export type Bundle = { dir: string; main: string; path: string }

/**
 * Bundles `bench/bench-worker.ts` (the app plus `/bench/*`) exactly as `wrangler deploy`
 * bundles the Worker, with `--dry-run`: nothing is uploaded.
 */
export async function buildBenchBundle(): Promise<Bundle> {
  const dir = resolve(outDir, 'bundle')
  await rm(dir, { recursive: true, force: true })
  // An absolute --outdir: wrangler resolves a relative one against the config's folder for the script.
  const args = ['deploy', '--dry-run', '--outdir', dir, '--config', 'bench/wrangler.bench.toml']
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false' }
  const wrangler = own(spawn(resolve(projectRoot, 'node_modules/.bin/wrangler'), args, { cwd: projectRoot, env }))
  let output = ''
  wrangler.stdout?.on('data', (chunk) => {
    output += chunk
  })
  wrangler.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const code = await new Promise((resolve) => wrangler.on('close', resolve))
  if (code !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${output}`)
  const main = 'bench-worker.js'
  return { dir, main, path: resolve(dir, main) }
}
