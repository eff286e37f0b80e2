import { defineConfig } from 'drizzle-kit'

// drizzle-kit writes straight into the folder `wrangler d1 migrations apply` reads.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/data/schema.ts',
  out: './migrations',
})
