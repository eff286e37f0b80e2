import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Runs before each test file; the files a Vitest worker runs share its D1, and migrations are idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
