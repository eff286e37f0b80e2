import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { settingsOf } from '../settings'

/** A missing or bad setting throws its `ConfigError`, responded to with 503 `server_misconfigured`. */
export const loadSettings = createMiddleware<AppEnv>(async (c, next) => {
  c.set('settings', await settingsOf(c.env))
  await next()
})
