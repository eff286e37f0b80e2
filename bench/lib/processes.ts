import type { ChildProcess } from 'node:child_process'

type Cleanup = () => Promise<void> | void

const cleanups: Cleanup[] = []
const children = new Set<ChildProcess>()

/** Runs `cleanup` when the bench ends, however it ends; the last registered runs first. */
export function onCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup)
}

/**
 * Ends `child` when the bench ends: SIGTERM, then SIGKILL if it is still there a
 * second later. Also killed outright if Node exits without cleaning up.
 */
export function own(child: ChildProcess): ChildProcess {
  children.add(child)
  child.once('exit', () => children.delete(child))
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000)
    await exited
    clearTimeout(timer)
  })
  return child
}

async function cleanUp(): Promise<void> {
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    try {
      await cleanup()
    } catch (error) {
      console.error('cleanup failed:', error)
    }
  }
}

/**
 * Runs the bench's `main`, then ends everything it started: after success, after an
 * error, and on Ctrl-C or SIGTERM (exit code 128 + the signal's number).
 *
 * @example
 * await runBench(async () => {
 *   own(spawn(workerd, ['serve', config]))
 * })
 */
export async function runBench(main: () => Promise<void>): Promise<void> {
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL')
  })
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping everything the bench started`)
      void cleanUp().finally(() => process.exit(code))
    })
  }
  try {
    await main()
  } catch (error) {
    console.error(error)
    process.exitCode = 1
  } finally {
    await cleanUp()
  }
}
