import type { TokenClaims } from './auth/tokens'
import type { Database } from './data/client'
import type { OrgMember } from './data/memberships'
import type { Account, Organization } from './data/schema'
import type { OrgActor } from './orgs/permissions'
import type { Settings } from './settings'

export type AppEnv = {
  Bindings: Env
  Variables: {
    /** The Worker's own id, never the client's. */
    requestId: string
    /** Set by `loadSettings`. */
    settings: Settings
    db: Database
    /** Set by `requireAuth` and by `inOrg` for a token (never for an API key): the account as D1 has it now, or had it within `ACCOUNT_CACHE_MS`. */
    user: Account
    token: TokenClaims
    /** Set by `inOrg`; `member` is the one named in the path. */
    orgScope: { org: Organization; actor: OrgActor; member: OrgMember | null }
  }
}
