import { z } from '@hono/zod-openapi'
import { COMMON_PASSWORD_RULE } from '../../auth/common-passwords'
import { newPasswordSchema as newPasswordRule, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../auth/passwords'
import { REFRESH_TOKEN_LENGTH, REFRESH_TOKEN_PATTERN } from '../../auth/refresh-token-codec'
import { ALSO_REFUSED } from '../../http/also-refused'
import { idSchema } from '../../http/id-schemas'
import { OPAQUE_TOKEN_LENGTH, OPAQUE_TOKEN_PATTERN } from '../../lib/opaque-token'

export const newPasswordSchema = newPasswordRule.openapi({
  minLength: PASSWORD_MIN_LENGTH,
  maxLength: PASSWORD_MAX_LENGTH,
  format: 'password',
  description: `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters. ${COMMON_PASSWORD_RULE}`,
  [ALSO_REFUSED]: COMMON_PASSWORD_RULE,
})

/** A password as typed to prove who one is: bounded, but not held to the policy. */
export const enteredPasswordSchema = z
  .string()
  .min(1)
  .max(PASSWORD_MAX_LENGTH * 2)
  .openapi({
    format: 'password',
    description: 'The password as it was set: compared exactly, never trimmed or case-folded',
    example: 'correct horse battery staple',
  })

/** Made up: 54 bytes in base64url. */
const EXAMPLE_REFRESH_TOKEN = 'AZrB8o1OeyGcOl5vcIGSowAAAAAAAHPeB0l74MC67Nk9aF5RKya5GhWZVlPJGCcHZfboiusF'
const EXAMPLE_DEVICE_TOKEN = 'kq3R0bX9zJc1mWf7TgH2yLpV8sNdE4uAoI6eQhYtZxw'

const refreshTokenFormat = {
  pattern: REFRESH_TOKEN_PATTERN.source,
  minLength: REFRESH_TOKEN_LENGTH,
  maxLength: REFRESH_TOKEN_LENGTH,
  example: EXAMPLE_REFRESH_TOKEN,
}

const opaqueTokenFormat = (example: string) => ({
  pattern: OPAQUE_TOKEN_PATTERN.source,
  minLength: OPAQUE_TOKEN_LENGTH,
  maxLength: OPAQUE_TOKEN_LENGTH,
  example,
})

export const TokensResponseSchema = z
  .object({
    token: z.string().openapi({ description: 'HS256 JWT for `Authorization: Bearer <token>`' }),
    userId: idSchema,
    username: z.string(),
    expiresIn: z.int().openapi({ description: 'Seconds until the token expires', example: 86400 }),
    refreshToken: z.string().openapi({
      ...refreshTokenFormat,
      description:
        'Opaque (not a JWT; it carries a 256-bit MAC), for `POST /api/auth/refresh`: good for one refresh, which returns the next one. Keep it as secret as a password.',
    }),
    refreshExpiresIn: z.int().openapi({
      description:
        'Seconds until the refresh token expires unused; the login it comes from also ends at an absolute limit',
      example: 1_209_600,
    }),
  })
  .openapi('TokensResponse')

export const LoginResponseSchema = TokensResponseSchema.extend({
  deviceToken: z.string().openapi({
    ...opaqueTokenFormat(EXAMPLE_DEVICE_TOKEN),
    description:
      "Opaque (256 random bits): send it as `deviceToken` with this account's next logins from this device, so that a lockout aimed at other clients does not apply to them. Kept until it expires, the password changes or the account logs out everywhere.",
  }),
  deviceExpiresIn: z.int().openapi({ description: 'Seconds until the device token expires', example: 7_776_000 }),
}).openapi('LoginResponse')

export const toLoginResponse = (
  issued: Pick<z.infer<typeof TokensResponseSchema>, 'token' | 'userId' | 'username' | 'expiresIn'>,
  family: { refreshToken: string; refreshExpiresIn: number },
  device: { deviceToken: string; deviceExpiresIn: number },
): z.infer<typeof LoginResponseSchema> => ({
  ...issued,
  refreshToken: family.refreshToken,
  refreshExpiresIn: family.refreshExpiresIn,
  deviceToken: device.deviceToken,
  deviceExpiresIn: device.deviceExpiresIn,
})

/** The format is documented but checked by the handler, so any string is refused as an unknown token is (401). */
export const RefreshRequestSchema = z
  .strictObject({
    refreshToken: z.string().openapi({
      ...refreshTokenFormat,
      description:
        'The `refreshToken` of the last login, password change or refresh. A string of any other shape is refused as an unknown token is: 401 `invalid_refresh_token`.',
    }),
  })
  .openapi('RefreshRequest')

/** A token as login issues one, its signature made up, for the document's examples. */
const EXAMPLE_TOKEN = [
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InEzdFZiOHhZejBBYkNkRWYifQ',
  'eyJpc3MiOiJvcmdzdGFjayIsImF1ZCI6Im9yZ3N0YWNrLWFwaSIsInN1YiI6IjAxOWFjMWYyLTdhM2ItN2NkZS04ZjAxLTIzNDU2Nzg5YWJjZCIsInVzZXJuYW1lIjoiYWxpY2UiLCJyb2xlIjoibWVtYmVyIiwianRpIjoiMDE5YWMxZjMtNWM2ZC03ZThmLTlhMGItMWMyZDNlNGY1YTZiIiwidmVyIjowLCJpYXQiOjE3OTU5MzkyMDAsImV4cCI6MTc5NjAyNTYwMH0',
  'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
].join('.')

export const TOKENS_RESPONSE_EXAMPLE: z.infer<typeof TokensResponseSchema> = {
  token: EXAMPLE_TOKEN,
  userId: '019ac1f2-7a3b-7cde-8f01-23456789abcd',
  username: 'alice',
  expiresIn: 86400,
  refreshToken: EXAMPLE_REFRESH_TOKEN,
  refreshExpiresIn: 1_209_600,
}

export const LOGIN_RESPONSE_EXAMPLE: z.infer<typeof LoginResponseSchema> = {
  ...TOKENS_RESPONSE_EXAMPLE,
  deviceToken: EXAMPLE_DEVICE_TOKEN,
  deviceExpiresIn: 7_776_000,
}

export const REFRESH_REQUEST_EXAMPLE: z.input<typeof RefreshRequestSchema> = { refreshToken: EXAMPLE_REFRESH_TOKEN }
