import type { TokenClaims } from './auth/token-claims'
import type { Database } from './db/client'

export type AppEnv = {
  Bindings: Env
  Variables: {
    db: Database
    /** Set by `requireAuth` on protected routes. */
    auth: TokenClaims
  }
}
