import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Bundle } from './build'
import { freePort } from './free-port'
import { own } from './processes'
import { workerdBinary } from './runtime'
import type { Server } from './server'
import type { WorkerSettings } from './settings'

// JSON string escapes are valid Cap'n Proto text literals for the ASCII the bench writes.
const text = (value: string) => JSON.stringify(value)

/** A workerd config serving `bundle` alone on `port`: no D1, no wrangler, no Miniflare entry worker. */
function capnpConfig(bundle: Bundle, configDir: string, port: number, settings: WorkerSettings): string {
  const bindings = Object.entries(settings.bindings).map(
    ([name, value]) => `(name = ${text(name)}, text = ${text(value)})`,
  )
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "bench", worker = .benchWorker)],
  sockets = [(name = "http", address = ${text(`127.0.0.1:${port}`)}, http = (), service = "bench")],
);

const benchWorker :Workerd.Worker = (
  modules = [(name = ${text(bundle.main)}, esModule = embed ${text(relative(configDir, bundle.path))})],
  compatibilityDate = ${text(settings.compatibilityDate)},
  compatibilityFlags = [${settings.compatibilityFlags.map(text).join(', ')}],
  bindings = [
    ${bindings.join(',\n    ')}
  ],
);
`
}

/** Resolves once `url` answers at all; fails if `child` exits first or nothing answers within 15 s. */
async function waitUntilServing(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited with code ${child.exitCode}`)
    try {
      await fetch(url)
      return
    } catch {
      await sleep(100)
    }
  }
  throw new Error(`${url} did not answer within 15 s`)
}

/**
 * Serves the bench build with plain `workerd serve` on a free port of 127.0.0.1: the
 * runtime without `wrangler dev`'s proxy, for the routes that need no D1. The Worker's
 * request log goes nowhere.
 */
export async function startWorkerd(bundle: Bundle, settings: WorkerSettings): Promise<Server> {
  const port = await freePort()
  const configPath = resolve(bundle.dir, '..', 'workerd.capnp')
  await writeFile(configPath, capnpConfig(bundle, resolve(bundle.dir, '..'), port, settings))
  const child = own(spawn(workerdBinary(), ['serve', configPath], { stdio: ['ignore', 'ignore', 'inherit'] }))
  const url = `http://127.0.0.1:${port}`
  await waitUntilServing(`${url}/bench/bare`, child)
  if (child.pid === undefined) throw new Error('workerd has no process id')
  return { url, pid: child.pid }
}
