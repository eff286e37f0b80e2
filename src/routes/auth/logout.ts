import { createRoute } from '@hono/zod-openapi'
import { eq, sql } from 'drizzle-orm'
import { authEvent, logAuthEvents, originOf } from '../../audit/auth-event'
import { requireAuth } from '../../auth/require-auth'
import { authEvents, revokedTokens, users } from '../../db/schema'
import { bearerAuth, errorResponses } from '../../http/openapi'
import { createRouter } from '../create-router'

const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['auth'],
  summary: 'Revoke the presented token',
  security: bearerAuth,
  middleware: [requireAuth] as const,
  responses: { 204: { description: 'The token is refused from now on' }, ...errorResponses(401, 413, 500, 503) },
})

const logoutAll = createRoute({
  method: 'post',
  path: '/logout-all',
  tags: ['auth'],
  summary: "Revoke every token of the caller's",
  security: bearerAuth,
  middleware: [requireAuth] as const,
  responses: {
    204: { description: "The caller's tokens are refused from now on" },
    ...errorResponses(401, 413, 500, 503),
  },
})

export const logoutRouter = createRouter()
  .openapi(logout, async (c) => {
    const { user, token, db } = c.var
    const event = authEvent('logout', user.id, originOf(c, user.id))
    await db.batch([
      // Kept until the token's exp, after which the scheduled cleanup deletes it.
      db.insert(revokedTokens).values({ jti: token.jti, userId: user.id, expiresAt: token.exp }).onConflictDoNothing(),
      db.insert(authEvents).values(event),
    ])
    logAuthEvents(c, [event])
    return c.body(null, 204)
  })
  .openapi(logoutAll, async (c) => {
    const { user, db } = c.var
    const now = new Date()
    const event = authEvent('logout_all', user.id, originOf(c, user.id), now)
    await db.batch([
      db
        .update(users)
        .set({ tokenVersion: sql`${users.tokenVersion} + 1`, updatedAt: now })
        .where(eq(users.id, user.id)),
      db.insert(authEvents).values(event),
    ])
    logAuthEvents(c, [event])
    return c.body(null, 204)
  })
