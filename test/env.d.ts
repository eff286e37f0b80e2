declare namespace Cloudflare {
  interface Env {
    /** Read from `migrations/` by vitest.config.ts. */
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
  }
}
