import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process'
import { constants } from 'node:os'
import { resolve } from 'node:path'
import { stripVTControlCharacters } from 'node:util'
import { projectRoot } from './project-root'
import { CliError } from './run-cli'

const wranglerBin = resolve(projectRoot, 'node_modules/.bin/wrangler')

/** What a wrangler run left behind, its output captured. */
export type WranglerResult = { code: number; stdout: string; stderr: string }

/** Starts the project's wrangler with `args` (an argument array: no shell is involved). */
export const spawnWrangler = (args: string[], stdio: StdioOptions): ChildProcess =>
  spawn(wranglerBin, args, { cwd: projectRoot, stdio })

/** Resolves `child`'s exit code as a shell reports it: 128 + n when signal n ended it. */
export function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new CliError(`Could not run wrangler: ${error.message}`)))
    child.on('close', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)))
  })
}

/** Runs wrangler non-interactively with its output captured; resolves whatever it exits with. */
export async function runWrangler(args: string[]): Promise<WranglerResult> {
  const child = spawnWrangler(args, ['ignore', 'pipe', 'pipe'])
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const code = await exitCode(child)
  return { code, stdout, stderr }
}

/** The useful part of a failed run's output: its `[ERROR]` lines, without wrangler's colours. */
export function wranglerFailure({ code, stdout, stderr }: WranglerResult): string {
  const errors = stripVTControlCharacters(`${stderr}\n${stdout}`)
    .split('\n')
    .flatMap((line) => /\[ERROR\]\s*(.+)/.exec(line)?.[1].trim() ?? [])
  return errors.length > 0 ? errors.join(' ') : `wrangler exited with code ${code}`
}
