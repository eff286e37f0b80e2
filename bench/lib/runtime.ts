import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { projectRoot } from '../../scripts/lib/project-root'

// Miniflare and workerd as wrangler itself resolves them, hoisted or not: the same builds
// `wrangler dev` and the tests run.
const fromProject = createRequire(resolve(projectRoot, 'package.json'))
const wranglerPackage = fromProject.resolve('wrangler/package.json')
const fromWrangler = createRequire(wranglerPackage)
const miniflarePackage = fromWrangler.resolve('miniflare/package.json')
const fromMiniflare = createRequire(miniflarePackage)

/** The `miniflare` module wrangler depends on. */
export const loadMiniflare = async (): Promise<typeof import('miniflare')> =>
  import(pathToFileURL(fromWrangler.resolve('miniflare')).href)

/** The path of the workerd binary Miniflare runs, from the `workerd` package for this platform. */
export function workerdBinary(): string {
  const workerd: { default?: unknown } = fromMiniflare('workerd')
  if (typeof workerd.default !== 'string') throw new Error('The workerd package did not name its binary')
  return workerd.default
}

const versionAt = async (packageJson: string): Promise<string> =>
  (JSON.parse(await readFile(packageJson, 'utf8')) as { version: string }).version

/** The versions a result depends on, for results.json. */
export async function runtimeVersions() {
  return {
    node: process.version,
    workerd: await versionAt(fromMiniflare.resolve('workerd/package.json')),
    miniflare: await versionAt(miniflarePackage),
    wrangler: await versionAt(wranglerPackage),
    hono: await versionAt(resolve(projectRoot, 'node_modules/hono/package.json')),
    autocannon: await versionAt(fromProject.resolve('autocannon/package.json')),
  }
}
