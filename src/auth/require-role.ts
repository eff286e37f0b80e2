import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import type { Role } from '../db/schema'
import { authErrors } from '../http/api-error'

/** After `requireAuth`: answers 403 unless the caller has `role`. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.var.auth.role !== role) throw authErrors.insufficientPermissions()
    await next()
  })
