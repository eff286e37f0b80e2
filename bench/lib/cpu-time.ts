import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'

/** Milliseconds per clock tick, the unit of /proc's CPU times: 10 where `getconf CLK_TCK` is 100. */
export const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())

/** CPU time (user + system, every thread) that process `pid` has used so far, in ms. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // Fields after the parenthesised command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

/**
 * Resolves once `pid` has used at most one clock tick of CPU over `windowMs` (its
 * `waitUntil` work and timers done), or after `timeoutMs`; says which.
 */
export async function waitForIdle(pid: number, windowMs = 100, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let before = await cpuMs(pid)
  while (Date.now() < deadline) {
    await sleep(windowMs)
    const after = await cpuMs(pid)
    if (after - before <= TICK_MS) return true
    before = after
  }
  return false
}
