/**
 * Builds the Worker as `wrangler deploy` would, uploading nothing, and fails if its gzip size is over
 * the limit: a large bundle costs start-up time on every cold isolate (docs/operations.md, "Bundle size").
 *
 * Run with `npm run bundle:size`.
 */

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CliError, runCli } from './lib/run-cli'
import { runWrangler } from './lib/wrangler'

/** In KiB, as wrangler prints it. */
const GZIP_LIMIT_KIB = 150

await runCli(async () => {
  const outdir = await mkdtemp(join(tmpdir(), 'orgstack-bundle-'))
  try {
    const { code, stdout, stderr } = await runWrangler(['deploy', '--dry-run', '--outdir', outdir])
    if (code !== 0) throw new CliError(`wrangler deploy --dry-run failed:\n${stderr || stdout}`)
    const sizes = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout)
    if (!sizes) throw new CliError(`wrangler printed no "Total Upload" line:\n${stdout}`)
    const [, total, gzip] = sizes
    console.log(`Worker bundle: ${total} KiB, gzip ${gzip} KiB (limit ${GZIP_LIMIT_KIB} KiB)`)
    if (Number(gzip) > GZIP_LIMIT_KIB) throw new CliError(`the Worker's gzip size is over ${GZIP_LIMIT_KIB} KiB`)
    return 0
  } finally {
    await rm(outdir, { recursive: true, force: true })
  }
})
