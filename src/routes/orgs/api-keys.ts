import { z } from '@hono/zod-openapi'
import { orgEvent } from '../../audit/events'
import { countLiveApiKeys, insertApiKey, listApiKeys, pruneEndedApiKeys, revokeApiKey } from '../../data/api-keys'
import { findOrganization } from '../../data/organizations'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { inOrg } from '../../http/guards'
import { CLOSED_QUERY, jsonBody, jsonResponse, pageQuery } from '../../http/openapi'
import { orgOriginOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { buildApiKey } from '../../orgs/api-key'
import { createRouter } from '../create-router'
import {
  API_KEY_EXAMPLE,
  ApiKeyPageSchema,
  ApiKeyParamsSchema,
  CreatedApiKeySchema,
  NewApiKeySchema,
  toApiKey,
} from './api-key-schemas'
import { OrgParamsSchema } from './schemas'

const create = apiRoute(inOrg('manage_api_keys'), {
  method: 'post',
  path: '/{orgId}/api-keys',
  operationId: 'createApiKey',
  tags: ['api-keys'],
  summary: 'Create an API key for integrations (its owners and admins); the key is in this response only',
  description:
    "The key acts with its `role` on this organization's operations that list `apiKeyAuth`, and nowhere else: not on another organization, user routes, invitations or key management (403). Unless an owner created it with `survivesCreator`, it stops working when its creator leaves, loses the owner or admin role, or is disabled or deleted.",
  request: {
    params: OrgParamsSchema,
    body: jsonBody(NewApiKeySchema, { name: 'CI deploys', role: 'admin', expiresInDays: 90 }),
  },
  responses: {
    201: jsonResponse('The new key, with the key itself', CreatedApiKeySchema, {
      ...API_KEY_EXAMPLE,
      key: 'osk_Zx81Lq0PfA3d_8kQ2vN5rT0wY7zB4cF1hJ6mP9sU3xA0dG5jL8nR2tV7',
    }),
  },
  errors: ['api_key_limit_reached'],
})

const list = apiRoute(inOrg('manage_api_keys'), {
  method: 'get',
  path: '/{orgId}/api-keys',
  operationId: 'listApiKeys',
  tags: ['api-keys'],
  summary: "An organization's API keys, oldest first, revoked and expired ones too for 30 days (its owners and admins)",
  description: `Never the key itself: only its \`publicId\`. ${CLOSED_QUERY}`,
  request: { params: OrgParamsSchema, query: z.strictObject(pageQuery(20)) },
  responses: {
    200: jsonResponse('A page of API keys', ApiKeyPageSchema, { apiKeys: [API_KEY_EXAMPLE], nextCursor: null }),
  },
})

const revoke = apiRoute(inOrg('manage_api_keys'), {
  method: 'delete',
  path: '/{orgId}/api-keys/{keyId}',
  operationId: 'revokeApiKey',
  tags: ['api-keys'],
  summary: 'Revoke an API key at once (its owners and admins)',
  request: { params: ApiKeyParamsSchema },
  responses: { 204: { description: 'Revoked: the next request with it is refused' } },
  errors: ['api_key_not_found'],
})

/** Revoked and expired keys kept beyond the live ones, newest first; older ones go when a key is created. */
const ENDED_KEYS_KEPT = 50

export const apiKeysRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user, orgScope } = c.var
    const input = c.req.valid('json')
    // Only an owner (or a global admin) may let a key outlive its creator.
    if (input.survivesCreator && orgScope.actor.orgRole !== 'owner' && user.role !== 'admin') {
      throw new ApiError('insufficient_permissions')
    }
    const orgId = orgScope.org.id
    const now = new Date()
    const { row, key } = await buildApiKey(input, { orgId, createdBy: user.id }, now)
    const { maxApiKeysPerOrg } = c.var.settings.organizations
    const { changed } = await writeChange(c, {
      before: { prune: pruneEndedApiKeys(db, orgId, now, ENDED_KEYS_KEPT) },
      change: insertApiKey(db, row, maxApiKeysPerOrg),
      events: [{ ...orgEvent('api_key_created', orgId, null, orgOriginOf(c), now), apiKeyId: row.id }],
      unchanged: async () => {
        if (!(await findOrganization(db, orgId))) return new ApiError('org_not_found')
        if ((await countLiveApiKeys(db, orgId, now)) >= maxApiKeysPerOrg) return new ApiError('api_key_limit_reached')
        // The creator's role or account changed after the guard read it.
        return new ApiError('insufficient_permissions')
      },
    })
    return c.json({ ...toApiKey({ ...changed, creator: { id: user.id, username: user.username } }), key }, 201)
  })
  .openapi(list, async (c) => {
    const { page, nextCursor } = await listApiKeys(c.var.db, { orgId: c.var.orgScope.org.id, ...c.req.valid('query') })
    return c.json({ apiKeys: page.map(toApiKey), nextCursor }, 200)
  })
  .openapi(revoke, async (c) => {
    const { db, orgScope } = c.var
    const { keyId } = c.req.valid('param')
    const now = new Date()
    await writeChange(c, {
      change: revokeApiKey(db, { orgId: orgScope.org.id, id: keyId, now }),
      events: [{ ...orgEvent('api_key_revoked', orgScope.org.id, null, orgOriginOf(c), now), apiKeyId: keyId }],
      unchanged: () => new ApiError('api_key_not_found'),
    })
    return c.body(null, 204)
  })
