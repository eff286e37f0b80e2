import type { TokenClaims } from './auth/tokens'
import type { Database } from './data/client'
import type { OrgMember } from './data/memberships'
import type { Account, Organization, OrgRole } from './data/schema'
import type { Settings } from './settings'

export type AppEnv = {
  Bindings: Env
  Variables: {
    /** The Worker's own id, never the client's. */
    requestId: string
    /** Set by `loadSettings`. */
    settings: Settings
    db: Database
    /** Set by `requireAuth`: the account as D1 has it now, or had it within `ACCOUNT_CACHE_MS`. */
    user: Account
    token: TokenClaims
    /** Set by `inOrg`; `role` is null for a global admin who is not a member. */
    orgScope: { org: Organization; role: OrgRole | null; member: OrgMember | null }
  }
}
