import { auditEvent } from '../../audit/events'
import { insertEvents } from '../../data/audit-events'
import { revokeFamily } from '../../data/refresh-tokens'
import { revokeToken } from '../../data/revoked-tokens'
import { nextTokenVersion, updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { logAuditEvents, originOf } from '../../http/audit'
import { signedIn } from '../../http/guards'
import { createRouter } from '../create-router'

const logout = apiRoute(signedIn, {
  method: 'post',
  path: '/logout',
  operationId: 'logout',
  tags: ['auth'],
  summary: 'Revoke the presented token and its refresh tokens',
  responses: {
    204: {
      description:
        'The token is refused from now on, and so are the refresh tokens of the login it comes from and the access tokens issued from them',
    },
  },
})

const logoutAll = apiRoute(signedIn, {
  method: 'post',
  path: '/logout-all',
  operationId: 'logoutAll',
  tags: ['auth'],
  summary: "Revoke every token of the caller's, refresh tokens too",
  responses: { 204: { description: "The caller's tokens and refresh tokens are refused from now on" } },
})

export const logoutRouter = createRouter()
  .openapi(logout, async (c) => {
    const { user, token, db } = c.var
    const now = new Date()
    const event = auditEvent('logout', user.id, originOf(c, user.id), now)
    // Kept until the token's exp, after which the scheduled cleanup deletes it.
    await db.batch([
      revokeToken(db, { jti: token.jti, userId: user.id, expiresAt: token.exp }),
      insertEvents(db, [event]),
      // Tokens from before refresh tokens name no family.
      ...(token.fam === undefined ? [] : [revokeFamily(db, { familyId: token.fam, userId: user.id }, now)]),
    ])
    logAuditEvents(c, [event])
    return c.body(null, 204)
  })
  .openapi(logoutAll, async (c) => {
    const { user, db } = c.var
    const now = new Date()
    const event = auditEvent('logout_all', user.id, originOf(c, user.id), now)
    await db.batch([
      updateUser(db, user.id, { tokenVersion: nextTokenVersion, updatedAt: now }),
      insertEvents(db, [event]),
    ])
    logAuditEvents(c, [event])
    return c.body(null, 204)
  })
