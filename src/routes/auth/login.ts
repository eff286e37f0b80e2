import { z } from '@hono/zod-openapi'
import { authEvent } from '../../audit/auth-event'
import { startDevice } from '../../auth/device-tokens'
import { hashPassword, needsRehash } from '../../auth/passwords'
import { startFamily } from '../../auth/refresh-tokens'
import { issueToken } from '../../auth/tokens'
import { insertEvents } from '../../data/auth-events'
import { rehashPassword } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { logAuthEvents, originOf } from '../../http/audit'
import { writeInBackground } from '../../http/background-write'
import { everyone } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { ALSO_REFUSED } from '../../lib/also-refused'
import { normalizeIdentifier } from '../../lib/normalize'
import { createRouter } from '../create-router'
import { checkedPassword } from './checked-password'
import { enteredPasswordSchema, LOGIN_RESPONSE_EXAMPLE, LoginResponseSchema, toLoginResponse } from './schemas'

/** No account's username or email is longer than this once normalised (emails are at most 254 characters). */
const MAX_NORMALIZED_LOGIN = 254
const NORMALIZED_BOUND = `At most ${MAX_NORMALIZED_LOGIN} UTF-16 code units once NFKC-normalised and lower-cased.`

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
        "The `deviceToken` an earlier login of this account from this device answered: the login is then counted on this device's failures alone, not held by a lockout aimed at other clients. One that is not this account's, or is expired, revoked or malformed, is ignored.",
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
  const { user, release, trustedDevice, hashing } = await checkedPassword(
    c,
    { login: username, password, deviceToken },
    null,
  )
  const event = authEvent('login_succeeded', user.id, originOf(c, user.id))
  const family = await startFamily(db, user, refreshing)
  // A trusted device keeps its token (`release` moved its expiry on); any other is trusted from now.
  const device =
    trustedDevice && deviceToken !== undefined
      ? { statements: [], deviceToken, deviceExpiresIn: Math.floor(ttlMs / 1000) }
      : await startDevice(db, user, ttlMs)
  // A refresh token handed out before its row is written could be refused on its first use:
  // the family goes in with the reservation given back and the event, before the answer.
  await db.batch([...family.statements, release, ...device.statements, insertEvents(db, [event])])
  logAuthEvents(c, [event])
  if (needsRehash(user.passwordHash, hashing)) {
    writeInBackground(c, 'password_rehash_failed', async () => [
      rehashPassword(db, user, await hashPassword(password, hashing)),
    ])
  }
  const issued = await issueToken(user, tokens, family.familyId)
  return c.json(toLoginResponse(issued, family, device), 200)
})
