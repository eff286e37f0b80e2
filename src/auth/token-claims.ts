import { z } from 'zod'
import { roles } from '../db/schema'

/**
 * The claims OrgStack signs and requires back. `exp` is required here although
 * Hono's `verify` accepts a token without one. `jti` names the token for logout;
 * `ver` is the account's `token_version` when it was issued.
 */
export const tokenClaimsSchema = z.object({
  iss: z.string(),
  aud: z.string(),
  sub: z.string().min(1),
  username: z.string(),
  role: z.enum(roles),
  jti: z.string().min(1),
  ver: z.number().int().nonnegative(),
  iat: z.number().int(),
  exp: z.number().int(),
})

export type TokenClaims = z.infer<typeof tokenClaimsSchema>
