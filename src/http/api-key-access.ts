import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import { orgEvent } from '../audit/events'
import { checkApiKey } from '../auth/api-key-check'
import { markApiKeyRefused, needsTouch, touchApiKey } from '../data/api-keys'
import { recordIfChanged } from '../data/audit-events'
import { countKeyFailure } from '../data/login-throttles'
import type { ApiKey } from '../data/schema'
import { type OrgAction, orgAccess } from '../orgs/permissions'
import { ApiError } from './errors'
import { clientOf, originOf } from './origin'
import { writeInBackground } from './write-change'

/**
 * The API key side of `inOrg`: sets `orgScope` with the key as actor, or throws 401 (bad key), 403 (another
 * organization, or a role that may not act) or 429 (a client blocked for wrong keys). Writes go after the response.
 */
export async function apiKeyAccess(
  c: Context<AppEnv>,
  presented: string,
  action: OrgAction,
  path: { orgId: string; memberId?: string } | undefined,
): Promise<void> {
  const now = new Date()
  const { network } = clientOf(c)
  const check = await checkApiKey(c.var.db, presented, {
    orgId: path?.orgId ?? '',
    memberId: path?.memberId,
    network,
    now,
  })
  switch (check.result) {
    case 'throttled':
      throw new ApiError('too_many_attempts', { headers: { 'Retry-After': String(check.retryAfter) } })
    case 'unknown':
      if (!check.malformed) {
        const seconds = Math.floor(now.getTime() / 1000)
        writeInBackground(c, 'api_key_failure_write_failed', async () => [
          countKeyFailure(c.var.db, network, c.var.settings.throttle, seconds),
        ])
      }
      throw new ApiError('invalid_token')
    case 'refused':
      auditRefusal(c, check.key, now)
      throw new ApiError(check.expired ? 'token_expired' : 'invalid_token')
    case 'elsewhere':
      // A malformed organization id is the route validator's 400, as for a token.
      if (path === undefined) return
      throw new ApiError('insufficient_permissions')
    case 'accepted': {
      const { key, org, member } = check
      if (path === undefined) return
      if (orgAccess({ globalRole: null, orgExists: true, orgRole: key.role }, action) !== 'allowed') {
        throw new ApiError('insufficient_permissions')
      }
      c.set('orgScope', { org, member, actor: { userId: null, apiKeyId: key.id, globalRole: null, orgRole: key.role } })
      if (needsTouch(key.lastUsedAt, now)) {
        writeInBackground(c, 'api_key_touch_failed', async () => [touchApiKey(c.var.db, key.id, now)])
      }
    }
  }
}

/** At most one `api_key_refused` event a minute per key: `markApiKeyRefused` changes no row within the minute. */
function auditRefusal(c: Context<AppEnv>, key: ApiKey, now: Date): void {
  const event = orgEvent('api_key_refused', key.orgId, null, { ...originOf(c, null), apiKeyId: key.id }, now)
  console.warn(
    JSON.stringify({
      level: 'warn',
      event: 'api_key_refused',
      apiKeyId: key.id,
      orgId: key.orgId,
      requestId: c.var.requestId,
    }),
  )
  writeInBackground(c, 'audit_write_failed', async () => [
    markApiKeyRefused(c.var.db, key.id, now),
    recordIfChanged(c.var.db, event),
  ])
}
