import { readdir, readFile } from 'node:fs/promises'
import type { Bundle } from './build'
import { freePort } from './free-port'
import { onCleanup } from './processes'
import { loadMiniflare } from './runtime'
import type { Server } from './server'
import type { WorkerSettings } from './settings'

/** A Miniflare setup: a `Server`, and its D1 database reached from Node for seeding. */
export type MiniflareServer = Server & { db: D1Database }

/** The ids of the workerd processes this Node process started. */
async function workerdChildren(): Promise<Set<number>> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name))
  const children = await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
      const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      return command === 'workerd' && parent === process.pid ? [Number(pid)] : []
    }),
  )
  return new Set(children.flat())
}

/**
 * Serves the bench build through Miniflare's API on a free port of 127.0.0.1, with
 * a D1 database `DB` in a throwaway folder that Miniflare removes when disposed.
 * Requests reach workerd directly (Miniflare's entry worker routes them), not a
 * Node proxy. The Worker's log lines are dropped.
 */
export async function startMiniflare(bundle: Bundle, settings: WorkerSettings): Promise<MiniflareServer> {
  const { Miniflare, convertV4MiniflareOptions } = await loadMiniflare()
  const before = await workerdChildren()
  // Miniflare 5 takes a new options shape; the v4 one it converts is the documented, stable one.
  const options = convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: await freePort(),
    scriptPath: bundle.path,
    modules: true,
    compatibilityDate: settings.compatibilityDate,
    compatibilityFlags: settings.compatibilityFlags,
    bindings: settings.bindings,
    d1Databases: { DB: 'bench' },
    handleStructuredLogs: () => {},
    telemetry: { enabled: false },
  })
  const miniflare = new Miniflare(options)
  onCleanup(() => miniflare.dispose())
  const url = (await miniflare.ready).origin
  const started = [...(await workerdChildren())].filter((pid) => !before.has(pid))
  if (started.length !== 1) throw new Error(`Expected one new workerd process for Miniflare, found ${started.length}`)
  // Miniflare's D1Database type is its own copy of the Workers types: the same interface.
  const db = (await miniflare.getD1Database('DB')) as unknown as D1Database
  return { url, pid: started[0], db }
}
