import { fileURLToPath } from 'node:url'
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { configDefaults, defineConfig } from 'vitest/config'
import { unstable_readConfig } from 'wrangler'

// The plugin loads a developer's .dev.vars (`npm run dev` writes one) and says so once per test
// file; every value that matters is bound below instead, so that line is only noise.
process.env.WRANGLER_LOG ??= 'warn'

// workerd reports as an exception the rest of a request body the Worker refused to read (the 413
// tests' streamed body); the vitest plugin drops its other `disconnected` notices, but not this one.
const WORKERD_ABORTED_BODY = 'kj/async-io.c++:763: disconnected: read end of pipe was aborted'
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream)
  stream.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    String(chunk).includes(WORKERD_ABORTED_BODY) || write(chunk, ...rest)) as typeof stream.write
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  const { vars } = unstable_readConfig({ config: './wrangler.toml' })
  return {
    // The Worker's slim zod, as wrangler.toml's [alias] gives it; exact, so 'zod/v4/core' stays zod's.
    resolve: { alias: [{ find: /^zod$/, replacement: fileURLToPath(new URL('./src/lib/zod.ts', import.meta.url)) }] },
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Empty databases: what the Worker meets before `wrangler d1 migrations apply`, and three
          // that tests migrate step by step, with data in between.
          d1Databases: {
            UNMIGRATED_DB: 'unmigrated',
            MIGRATING_DB: 'migrating',
            REFRESH_MIGRATING_DB: 'refresh-migrating',
            AUDIT_MIGRATING_DB: 'audit-migrating',
          },
          // As deployed, whatever a developer's .dev.vars (which the plugin also reads) says:
          // wrangler.toml's vars, no secret rotation under way, and the test-only values below.
          bindings: {
            ...vars,
            JWT_SECRET_PREVIOUS: '',
            PASSWORD_PEPPER_PREVIOUS: '',
            TEST_MIGRATIONS: migrations,
            // A fixed test-only key; real ones live in .dev.vars or wrangler secrets.
            JWT_SECRET: 'test-only-secret-0123456789abcdef0123456789',
            PASSWORD_PEPPER: 'test-only-pepper-0123456789abcdef0123456789',
            // Real PBKDF2, at a tenth of production's work: the suite hashes a few hundred
            // times. The 100000 default and its cap have tests of their own.
            PBKDF2_ITERATIONS: '10000',
          },
        },
      }),
    ],
    test: {
      // Every test file loads the whole Worker; pre-bundling its dependencies halves
      // that. List every entry point imported: one left out is loaded unbundled, and
      // classes it shares with a bundled one (HTTPException) would then exist twice.
      deps: {
        optimizer: {
          ssr: {
            enabled: true,
            include: [
              'hono',
              'hono/body-limit',
              'hono/client',
              'hono/combine',
              'hono/cors',
              'hono/factory',
              'hono/http-exception',
              'hono/jwt',
              'hono/route',
              'hono/secure-headers',
              'hono/utils/encode',
              'hono/utils/jwt/jwt',
              'hono/utils/jwt/types',
              '@hono/zod-openapi',
              'drizzle-orm',
              'drizzle-orm/d1',
              'drizzle-orm/errors',
              'drizzle-orm/sqlite-core',
              '@cfworker/json-schema',
            ],
            // Left to the alias above: pre-bundled, @hono/zod-openapi would carry a second zod, and the
            // one it extends with .openapi() would not be the app's.
            exclude: ['zod'],
          },
        },
      },
      setupFiles: ['./test/apply-migrations.ts'],
      // The Worker logs a JSON line per request: shown for failed tests only
      // (`npm test -- --silent=false` shows them all).
      silent: 'passed-only',
      // Chromium against wrangler dev, in Node: `npm run test:docs`.
      exclude: [...configDefaults.exclude, 'test/browser/**'],
      // A test file's own Worker start (loading the runner and the Worker's modules into a new
      // isolate, ~3 s of CPU) cost more than most files' tests: files now share their Vitest
      // worker's isolate and D1, one file after another. Tests therefore never assume a table
      // starts empty; unique names, and cursors or filters on what a test made, keep them apart.
      isolate: false,
      maxWorkers: 2,
      // Some attacks send 300 requests in a row: seconds of work that a busy machine stretches past 5 s.
      testTimeout: 20_000,
    },
  }
})
