import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** `npm run test:docs`: the docs page in headless Chromium against `wrangler dev`, in Node. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/browser/**/*.test.ts'],
    // Starting wrangler dev with a fresh database takes most of it.
    hookTimeout: 120_000,
    testTimeout: 60_000,
  },
})
