import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // As deployed, whatever a developer's .dev.vars (which the plugin also reads) says.
            ENVIRONMENT: 'production',
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
              'hono/cors',
              'hono/factory',
              'hono/http-exception',
              'hono/jwt',
              'hono/method-not-allowed',
              'hono/route',
              'hono/secure-headers',
              'hono/utils/encode',
              'hono/utils/jwt/jwt',
              'hono/utils/jwt/types',
              '@hono/zod-openapi',
              'zod',
              'drizzle-orm',
              'drizzle-orm/d1',
              'drizzle-orm/errors',
              'drizzle-orm/sqlite-core',
              '@cfworker/json-schema',
            ],
          },
        },
      },
      setupFiles: ['./test/apply-migrations.ts'],
      // Each test file starts a Worker of its own, and that start is mostly waiting, not CPU:
      // four files at a time on a 2-core machine take about half as long as two.
      maxWorkers: 4,
    },
  }
})
