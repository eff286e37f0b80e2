/**
 * Writes the OpenAPI document the Worker serves at /api/openapi.json to the file named, as it
 * serves it, without starting a Worker: `npm run lint` lints what this writes.
 *
 * Run with `npm exec tsx scripts/openapi-document.ts -- openapi.json`.
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createApp } from '../src/app'
import { CliError, runCli } from './lib/run-cli'

await runCli(async () => {
  const [output] = process.argv.slice(2)
  if (!output) throw new CliError('usage: tsx scripts/openapi-document.ts FILE')
  // The document route needs no binding: no CORS origins, not production, no database query.
  const env = {} as Env
  // The Worker logs a line per request: the file is this script's only output.
  console.log = () => {}
  const res = await createApp().request('https://localhost/api/openapi.json', undefined, env)
  if (!res.ok) throw new CliError(`GET /api/openapi.json answered ${res.status}: ${await res.text()}`)
  await mkdir(dirname(output), { recursive: true })
  await writeFile(output, `${JSON.stringify(await res.json(), null, 2)}\n`)
  return 0
})
