import { refresh } from '../../auth/refresh-tokens'
import { issueToken } from '../../auth/tokens'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { bodyCredential } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { changeWritten } from '../../http/write-change'
import { createRouter } from '../create-router'
import { REFRESH_REQUEST_EXAMPLE, RefreshRequestSchema, TOKENS_RESPONSE_EXAMPLE, TokensResponseSchema } from './schemas'

const refreshRoute = apiRoute(bodyCredential, {
  method: 'post',
  path: '/refresh',
  operationId: 'refreshToken',
  tags: ['auth'],
  summary: 'Exchange a refresh token for a new token and a new refresh token',
  description:
    'Each refresh token is good for one refresh. Requests racing with one token within a few seconds all get the same response; the token presented again later is taken as stolen: the login it comes from is revoked, its access tokens with it. A login refreshes a limited number of times a minute; past that the response is 429 and the refresh token stays good. No query string is accepted.',
  request: { body: jsonBody(RefreshRequestSchema, REFRESH_REQUEST_EXAMPLE) },
  responses: {
    200: jsonResponse('A new token and the next refresh token', TokensResponseSchema, TOKENS_RESPONSE_EXAMPLE),
  },
  errors: ['invalid_refresh_token', 'too_many_refreshes'],
})

export const refreshRouter = createRouter().openapi(refreshRoute, async (c) => {
  const { refreshToken } = c.req.valid('json')
  const { tokens, refresh: settings } = c.var.settings
  // Nobody is authenticated: the token proves a login, not who sent it.
  const refreshed = await refresh(c.var.db, refreshToken, settings, { origin: originOf(c, null) })
  if (refreshed.result !== 'rotated') {
    // A reuse revoked the family, in the domain's batch.
    if (refreshed.result !== 'invalid' && refreshed.event) changeWritten(c, [refreshed.event])
    const reason = refreshed.result === 'invalid' ? refreshed.reason : refreshed.result
    console.log(JSON.stringify({ level: 'info', event: 'refresh_refused', reason, requestId: c.var.requestId }))
    // The token is still good: distinguished, so that a client keeps it and tries again later.
    if (refreshed.result === 'limited') {
      throw new ApiError('too_many_refreshes', { headers: { 'Retry-After': String(refreshed.retryAfter) } })
    }
    // Why goes to the log only: the response is the same for every other refusal.
    throw new ApiError('invalid_refresh_token')
  }
  const issued = await issueToken(refreshed.user, tokens, refreshed.familyId)
  return c.json({ ...issued, refreshToken: refreshed.refreshToken, refreshExpiresIn: refreshed.refreshExpiresIn }, 200)
})
