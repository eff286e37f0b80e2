import type { TokenClaims } from './auth/tokens'
import type { Database } from './data/client'
import type { OrgMember } from './data/memberships'
import type { Organization, OrgRole, User } from './data/schema'
import type { Settings } from './settings'

export type AppEnv = {
  Bindings: Env
  Variables: {
    /** Set by `requestId` for every request: the Worker's own id, never the client's. */
    requestId: string
    /** Set by `loadSettings` for every request: the Worker's settings, read and checked once per `env`. */
    settings: Settings
    db: Database
    /** Set by `requireAuth`: the caller's account as it is in D1 now. */
    user: User
    /** Set by `requireAuth`: the verified claims of the presented token. */
    token: TokenClaims
    /**
     * Set by `inOrg`: the organisation of the path, the caller's role there (null for a global
     * admin who is not a member) and the member the path names (null: none, or not a member).
     */
    orgScope: { org: Organization; role: OrgRole | null; member: OrgMember | null }
  }
}
