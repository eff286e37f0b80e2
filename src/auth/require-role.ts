import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import type { Role } from '../db/schema'
import { authErrors } from '../http/api-error'

/** After `requireAuth`: answers 403 unless the caller's current role is `role`. */
export const requireRole = (role: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.var.user.role !== role) throw authErrors.insufficientPermissions()
    await next()
  })
