import { drizzle } from 'drizzle-orm/d1'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'

export type Database = ReturnType<typeof drizzle>

/** Builds the Drizzle client for this request from the `DB` binding. */
export const withDatabase = createMiddleware<AppEnv>(async (c, next) => {
  c.set('db', drizzle(c.env.DB))
  await next()
})
