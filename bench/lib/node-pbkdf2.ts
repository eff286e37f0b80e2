import { pbkdf2Sync } from 'node:crypto'
import { median } from './stats'

/**
 * The median time of Node's `crypto.pbkdf2Sync` (SHA-256, 32 bytes, `iterations`) over
 * `samples` calls, in ms: an outside reference for the Worker's PBKDF2.
 */
export function nodePbkdf2Ms(iterations: number, samples = 7): number {
  const times: number[] = []
  for (let i = 0; i < samples; i++) {
    const started = performance.now()
    pbkdf2Sync('bench-password-not-a-secret', new Uint8Array(16), iterations, 32, 'sha256')
    times.push(performance.now() - started)
  }
  return median(times)
}
