import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUser, parseNewUser } from '../../scripts/lib/create-user'
import { migrateIfLocal } from '../../scripts/lib/database'
import { closeLocalD1 } from '../../scripts/lib/local-d1'
import { spawnWrangler } from '../../scripts/lib/wrangler'
import { passwordsOf } from '../../src/settings'

/** A Worker served by `wrangler dev` on this machine, with an admin to log in as. */
export type LocalWorker = {
  origin: string
  admin: { username: string; password: string }
  stop(): Promise<void>
}

const STARTUP_MS = 60_000

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** Resolves once `url` answers 200; rejects if `exited` settles first or the start takes too long. */
async function answering(url: string, exited: Promise<unknown>, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_MS
  let gone = false
  exited.then(() => {
    gone = true
  })
  while (!gone && Date.now() < deadline) {
    const res = await fetch(url).catch(() => undefined)
    if (res?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`wrangler dev ${gone ? 'exited' : 'did not answer'} before ${url} did:\n${output()}`)
}

/**
 * Starts the Worker as `npm run dev` would, but on its own: a free port, a throwaway local
 * database (migrations applied, one admin created by the user CLI's own code) and its own
 * secrets in an env file, which wrangler reads instead of the developer's .dev.vars.
 *
 * @example
 * const worker = await startLocalWorker()
 * await fetch(`${worker.origin}/api/health`)
 * await worker.stop()
 */
export async function startLocalWorker(): Promise<LocalWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'orgstack-docs-'))
  const state = join(dir, 'state')
  const vars = {
    // Plain HTTP on localhost.
    ENVIRONMENT: 'development',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    PASSWORD_PEPPER: randomBytes(32).toString('base64url'),
    // The admin's hash is made here with the same count, so it verifies as is.
    PBKDF2_ITERATIONS: '10000',
  }
  const envFile = join(dir, 'worker.env')
  await writeFile(
    envFile,
    Object.entries(vars)
      .map(([name, value]) => `${name}=${value}\n`)
      .join(''),
    { mode: 0o600 },
  )

  const admin = { username: 'docs-admin', password: randomBytes(18).toString('base64url') }
  await migrateIfLocal({ remote: false, persistTo: state })
  const { hashing } = await passwordsOf(vars as unknown as Env)
  const input = parseNewUser({ ...admin, email: 'docs-admin@example.com', role: 'admin' })
  await createUser(input, hashing, { remote: false, persistTo: state })
  // wrangler dev opens the same database files next.
  await closeLocalD1()

  const [port, inspectorPort] = [await freePort(), await freePort()]
  const wrangler = spawnWrangler(
    [
      'dev',
      ...['--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)],
      ...['--persist-to', state, '--env-file', envFile, '--show-interactive-dev-session=false'],
    ],
    ['ignore', 'pipe', 'pipe'],
  )
  let output = ''
  for (const stream of [wrangler.stdout, wrangler.stderr])
    stream?.setEncoding('utf8').on('data', (chunk) => (output += chunk))
  const exited = once(wrangler, 'exit')
  const origin = `http://127.0.0.1:${port}`
  const stop = async () => {
    if (wrangler.exitCode === null && wrangler.signalCode === null) {
      wrangler.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await answering(`${origin}/api/health`, exited, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  return { origin, admin, stop }
}
