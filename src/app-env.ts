import type { TokenClaims } from './auth/tokens'
import type { Database } from './data/client'
import type { User } from './data/schema'

export type AppEnv = {
  Bindings: Env
  Variables: {
    /** Set by `requestId` for every request: the Worker's own id, never the client's. */
    requestId: string
    db: Database
    /** Set by `requireAuth`: the caller's account as it is in D1 now. */
    user: User
    /** Set by `requireAuth`: the verified claims of the presented token. */
    token: TokenClaims
  }
}
