import type { RequestIdVariables } from 'hono/request-id'
import type { TokenClaims } from './auth/token-claims'
import type { Database } from './db/client'
import type { User } from './db/schema'

export type AppEnv = {
  Bindings: Env
  Variables: RequestIdVariables & {
    db: Database
    /** Set by `requireAuth`: the caller's account as it is in D1 now. */
    user: User
    /** Set by `requireAuth`: the verified claims of the presented token. */
    token: TokenClaims
  }
}
