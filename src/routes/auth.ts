import { createRoute, z } from '@hono/zod-openapi'
import { dummyPasswordHash, verifyPassword } from '../auth/password'
import { PASSWORD_MAX_LENGTH } from '../auth/password-policy'
import { requireAuth } from '../auth/require-auth'
import { signingKey } from '../auth/signing-key'
import { issueToken } from '../auth/tokens'
import { pbkdf2Iterations, tokenTtlSeconds } from '../config'
import { authErrors } from '../http/api-error'
import { bearerAuth, errorResponses } from '../http/openapi'
import { PublicUserSchema, toPublicUser } from '../users/public-user'
import { findUserById, findUserByLogin } from '../users/user-queries'
import { createRouter } from './create-router'

const LoginRequestSchema = z
  .strictObject({
    username: z.string().min(1).max(320).openapi({ description: 'Username or email address', example: 'admin' }),
    // Twice the policy's length in UTF-16 units bounds what gets hashed; no policy check at login.
    password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX_LENGTH * 2)
      .openapi({ format: 'password', example: 'correct horse battery staple' }),
  })
  .openapi('LoginRequest')

const LoginResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: z.uuid(),
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
  })
  .openapi('LoginResponse')

const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['auth'],
  summary: 'Log in with a username or email and a password',
  request: { body: { required: true, content: { 'application/json': { schema: LoginRequestSchema } } } },
  responses: {
    200: { description: 'A token', content: { 'application/json': { schema: LoginResponseSchema } } },
    ...errorResponses(400, 401, 500),
  },
})

const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['auth'],
  summary: 'The authenticated caller',
  security: bearerAuth,
  middleware: [requireAuth] as const,
  responses: {
    200: { description: 'The caller', content: { 'application/json': { schema: PublicUserSchema } } },
    ...errorResponses(401, 500),
  },
})

export const authRouter = createRouter()
  .openapi(login, async (c) => {
    const { username, password } = c.req.valid('json')
    // Settings first, so a misconfigured Worker fails alike for known and unknown users.
    const [key, iterations, expiresIn] = [await signingKey(c.env), pbkdf2Iterations(c.env), tokenTtlSeconds(c.env)]
    const user = await findUserByLogin(c.var.db, username)
    const valid = await verifyPassword(password, user?.passwordHash ?? dummyPasswordHash(iterations))
    if (!user || !valid) throw authErrors.invalidCredentials()
    const token = await issueToken(user, key, expiresIn)
    return c.json({ token, userId: user.id, username: user.username, expiresIn }, 200)
  })
  .openapi(me, async (c) => {
    const user = await findUserById(c.var.db, c.var.auth.sub)
    // The account was deleted after the token was issued.
    if (!user) throw authErrors.invalidToken()
    return c.json(toPublicUser(user), 200)
  })
