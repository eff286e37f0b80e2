import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Runs before each test file, whose storage starts empty: migrations are idempotent.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
