import { z } from '@hono/zod-openapi'
import { authEvent } from '../../audit/auth-event'
import { hashPassword, needsRehash } from '../../auth/passwords'
import { issueToken, tokenSettings } from '../../auth/tokens'
import { rehashPassword } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { originOf, recordInBackground } from '../../http/audit'
import { everyone } from '../../http/guards'
import { jsonBody, jsonResponse } from '../../http/openapi'
import { ALSO_REFUSED } from '../../lib/also-refused'
import { normalizeIdentifier } from '../../lib/normalize'
import { createRouter } from '../create-router'
import { checkedPassword } from './checked-password'
import { enteredPasswordSchema, LOGIN_RESPONSE_EXAMPLE, LoginResponseSchema } from './schemas'

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
  })
  .openapi('LoginRequest')

const login = apiRoute(everyone, {
  method: 'post',
  path: '/login',
  operationId: 'login',
  tags: ['auth'],
  summary: 'Log in with a username or email and a password',
  request: { body: jsonBody(LoginRequestSchema, { username: 'alice', password: 'correct horse battery staple' }) },
  responses: { 200: jsonResponse('A token', LoginResponseSchema, LOGIN_RESPONSE_EXAMPLE) },
  errors: ['invalid_credentials', 'too_many_attempts'],
})

export const loginRouter = createRouter().openapi(login, async (c) => {
  const { username, password } = c.req.valid('json')
  const db = c.var.db
  // Signing settings first, so a misconfigured Worker fails alike for known and unknown users.
  const tokens = await tokenSettings(c.env)
  // Nobody is authenticated yet: a failure has no actor.
  const { user, release, hashing } = await checkedPassword(c, { login: username, password }, null)
  // Nothing the answer depends on changes on success: the audit event, the reservation given
  // back and, if the hash's parameters are not the current ones, the upgraded hash go after it.
  recordInBackground(c, [authEvent('login_succeeded', user.id, originOf(c, user.id))], async () => [
    ...release,
    ...(needsRehash(user.passwordHash, hashing)
      ? [rehashPassword(db, user, await hashPassword(password, hashing))]
      : []),
  ])
  return c.json(await issueToken(user, tokens), 200)
})
