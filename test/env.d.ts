declare namespace Cloudflare {
  interface Env {
    /** Read from `migrations/` by vitest.config.ts. */
    TEST_MIGRATIONS: import('cloudflare:test').D1Migration[]
    /** Empty until a test applies migrations to it (vitest.config.ts). */
    UNMIGRATED_DB: D1Database
    /** Empty until `orgs/migration.test.ts` migrates it, with rows written in between. */
    MIGRATING_DB: D1Database
    /** Empty until `refresh-migration.test.ts` migrates it, with rows written in between. */
    REFRESH_MIGRATING_DB: D1Database
    /** Empty until `audit-migration.test.ts` migrates it, with rows written in between. */
    AUDIT_MIGRATING_DB: D1Database
  }
}

/** A file's text, through vite's `?raw` import: the Worker under test has no file system. */
declare module '*.md?raw' {
  const text: string
  export default text
}
