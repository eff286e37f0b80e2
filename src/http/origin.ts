import type { Context } from 'hono'
import type { AppEnv } from '../app-env'
import type { EventOrigin } from '../audit/events'
import { type ClientAddress, clientAddress } from '../lib/client-address'

const MAX_USER_AGENT = 512

/** The only place `CF-Connecting-IP` is read. */
export const clientOf = (c: Context<AppEnv>): ClientAddress => clientAddress(c.req.header('CF-Connecting-IP'))

export const originOf = (c: Context<AppEnv>, actorUserId: string | null): EventOrigin => ({
  actorUserId,
  ip: clientOf(c).ip,
  userAgent: c.req.header('User-Agent')?.slice(0, MAX_USER_AGENT) ?? null,
})

/** Within an organization route: the user or the API key acting. */
export const orgOriginOf = (c: Context<AppEnv>): EventOrigin => {
  const { userId, apiKeyId } = c.var.orgScope.actor
  return { ...originOf(c, userId), apiKeyId }
}
