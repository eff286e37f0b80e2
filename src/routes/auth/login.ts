import { z } from '@hono/zod-openapi'
import { auditEvent } from '../../audit/events'
import { startDevice } from '../../auth/device-tokens'
import { hashPassword, needsRehash } from '../../auth/passwords'
import { startFamily } from '../../auth/refresh-tokens'
import { issueToken } from '../../auth/tokens'
import { rehashPassword } from '../../data/users'
import { ALSO_REFUSED } from '../../http/also-refused'
import { apiRoute } from '../../http/api-route'
import { everyone } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { originOf } from '../../http/origin'
import { writeChange, writeInBackground } from '../../http/write-change'
import { normalizeIdentifier } from '../../lib/normalize'
import { createRouter } from '../create-router'
import { requirePassword } from './require-password'
import { enteredPasswordSchema, LOGIN_RESPONSE_EXAMPLE, LoginResponseSchema, toLoginResponse } from './schemas'

/** No account's username or email is longer than this once normalized (emails are at most 254 characters). */
const MAX_NORMALIZED_LOGIN = 254
const NORMALIZED_BOUND = `At most ${MAX_NORMALIZED_LOGIN} UTF-16 code units once NFKC-normalized and lower-cased.`

const LoginRequestSchema = z
  .strictObject({
    username: z
      .string()
      .min(1)
      .max(320)
      // NFKC can make a string many times longer: bound what is compared, not only what was sent.
      .refine((login) => normalizeIdentifier(login).length <= MAX_NORMALIZED_LOGIN, 'Username or email is too long')
      .openapi({
        description: `Username or email address. ${NORMALIZED_BOUND}`,
        [ALSO_REFUSED]: NORMALIZED_BOUND,
        example: 'admin',
      }),
    password: enteredPasswordSchema,
    deviceToken: z.string().optional().openapi({
      description:
        "The `deviceToken` an earlier login of this account from this device returned: the login is then counted on this device's failures alone, not held by a lockout aimed at other clients. One that is not this account's, or is expired, revoked or malformed, is ignored.",
      example: LOGIN_RESPONSE_EXAMPLE.deviceToken,
    }),
  })
  .openapi('LoginRequest')

const login = apiRoute(everyone, {
  method: 'post',
  path: '/login',
  operationId: 'login',
  tags: ['auth'],
  summary: 'Log in with a username or email and a password',
  request: { body: jsonBody(LoginRequestSchema, { username: 'alice', password: 'correct horse battery staple' }) },
  responses: { 200: jsonResponse('A token, and a refresh token', LoginResponseSchema, LOGIN_RESPONSE_EXAMPLE) },
  errors: ['invalid_credentials', 'too_many_attempts'],
})

export const loginRouter = createRouter().openapi(login, async (c) => {
  const { username, password, deviceToken } = c.req.valid('json')
  const db = c.var.db
  const { tokens, refresh: refreshing, devices } = c.var.settings
  const ttlMs = devices.ttlMs
  // Nobody is authenticated yet: a failure has no actor.
  const { user, release, trustedDevice, hashing } = await requirePassword(
    c,
    { login: username, password, deviceToken },
    null,
  )
  const family = await startFamily(db, user, refreshing)
  // A trusted device keeps its token (`release` moved its expiry on); any other is trusted from now.
  const device =
    trustedDevice && deviceToken !== undefined
      ? { statements: {}, deviceToken, deviceExpiresIn: Math.floor(ttlMs / 1000) }
      : await startDevice(db, user, ttlMs)
  // A refresh token handed out before its row is written could be refused on its first use:
  // the family goes in with the released reservation and the event, before the response.
  await writeChange(c, {
    statements: { ...family.statements, release, ...device.statements },
    events: [auditEvent('login_succeeded', user.id, originOf(c, user.id))],
  })
  if (needsRehash(user.passwordHash, hashing)) {
    writeInBackground(c, 'password_rehash_failed', async () => [
      rehashPassword(db, user, await hashPassword(password, hashing)),
    ])
  }
  const issued = await issueToken(user, tokens, family.familyId)
  return c.json(toLoginResponse(issued, family, device), 200)
})
