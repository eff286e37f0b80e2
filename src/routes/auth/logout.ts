import { auditEvent } from '../../audit/events'
import { revokeFamily } from '../../data/refresh-tokens'
import { revokeToken } from '../../data/revoked-tokens'
import { nextTokenVersion, updateUser } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { signedIn } from '../../http/guards'
import { originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
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
    // Kept until the token's exp, after which the scheduled cleanup deletes it.
    const revocation = revokeToken(db, { jti: token.jti, userId: user.id, expiresAt: token.exp })
    await writeChange(c, {
      // Tokens from before refresh tokens name no family.
      statements:
        token.fam === undefined
          ? { revocation }
          : { revocation, family: revokeFamily(db, { familyId: token.fam, userId: user.id }, now) },
      events: [auditEvent('logout', user.id, originOf(c, user.id), now)],
    })
    return c.body(null, 204)
  })
  .openapi(logoutAll, async (c) => {
    const { user, db } = c.var
    const now = new Date()
    await writeChange(c, {
      statements: { user: updateUser(db, user.id, { tokenVersion: nextTokenVersion, updatedAt: now }) },
      events: [auditEvent('logout_all', user.id, originOf(c, user.id), now)],
    })
    return c.body(null, 204)
  })
