import { z } from '@hono/zod-openapi'
import { orgEvent } from '../../audit/events'
import { createOrganization, deleteOrganization, listOrganizations, updateOrganization } from '../../data/organizations'
import { findUserById } from '../../data/users'
import { apiRoute } from '../../http/api-route'
import { ApiError } from '../../http/errors'
import { inOrg, signedIn } from '../../http/guards'
import { CLOSED_QUERY, jsonBody, jsonResponse, pageQuery } from '../../http/openapi'
import { orgOriginOf, originOf } from '../../http/origin'
import { writeChange } from '../../http/write-change'
import { buildOrganization, planOrganizationChange } from '../../orgs/organization'
import { createRouter } from '../create-router'
import {
  NewOrganizationSchema,
  ORGANIZATION_EXAMPLE,
  OrganizationPageSchema,
  OrgParamsSchema,
  organizationResponse,
  toOrganization,
  UpdateOrganizationSchema,
} from './schemas'

const create = apiRoute(signedIn, {
  method: 'post',
  path: '/',
  operationId: 'createOrganization',
  tags: ['organizations'],
  summary: 'Create an organization; the caller becomes its owner',
  request: {
    body: jsonBody(NewOrganizationSchema.openapi('NewOrganization'), { slug: 'acme', name: 'Acme Corporation' }),
  },
  responses: { 201: organizationResponse('The new organization') },
  errors: ['org_slug_taken', 'org_limit_reached'],
})

const list = apiRoute(signedIn, {
  method: 'get',
  path: '/',
  operationId: 'listOrganizations',
  tags: ['organizations'],
  summary: "The caller's organizations, oldest first, with their role in each",
  description: CLOSED_QUERY,
  request: {
    query: z.strictObject({
      all: z
        .enum(['true', 'false'])
        .optional()
        .openapi({ description: '`true`: every organization (global admins only; 403 for anyone else)' }),
      ...pageQuery(20),
    }),
  },
  responses: {
    200: jsonResponse('A page of organizations', OrganizationPageSchema, {
      organizations: [ORGANIZATION_EXAMPLE],
      nextCursor: null,
    }),
  },
  errors: ['insufficient_permissions'],
})

const get = apiRoute(inOrg('view', { apiKeys: true }), {
  method: 'get',
  path: '/{orgId}',
  operationId: 'getOrganization',
  tags: ['organizations'],
  summary: 'One organization (its members)',
  request: { params: OrgParamsSchema },
  responses: { 200: organizationResponse('The organization') },
})

const update = apiRoute(inOrg('update', { apiKeys: true }), {
  method: 'patch',
  path: '/{orgId}',
  operationId: 'updateOrganization',
  tags: ['organizations'],
  summary: "Change an organization's slug or name (its owners and admins)",
  request: {
    params: OrgParamsSchema,
    body: jsonBody(UpdateOrganizationSchema.openapi('UpdateOrganization', { minProperties: 1 }), {
      name: 'Acme Inc.',
    }),
  },
  responses: { 200: organizationResponse('The organization, changed', { ...ORGANIZATION_EXAMPLE, name: 'Acme Inc.' }) },
  errors: ['org_slug_taken'],
})

const remove = apiRoute(inOrg('delete'), {
  method: 'delete',
  path: '/{orgId}',
  operationId: 'deleteOrganization',
  tags: ['organizations'],
  summary: 'Delete an organization and every membership in it (its owners)',
  request: { params: OrgParamsSchema },
  responses: { 204: { description: 'Deleted' } },
})

export const organizationsRouter = createRouter()
  .openapi(create, async (c) => {
    const { db, user } = c.var
    const row = buildOrganization(c.req.valid('json'))
    const { maxOrgsPerUser } = c.var.settings.organizations
    const { organization, owner } = createOrganization(db, row, user.id, { maxOrgs: maxOrgsPerUser })
    const { changed: created } = await writeChange(c, {
      change: organization,
      events: [orgEvent('org_created', row.id, user.id, originOf(c, user.id), row.createdAt)],
      after: { owner },
      // Deleted after the guard read it: its token is no longer valid.
      unchanged: async () => new ApiError((await findUserById(db, user.id)) ? 'org_limit_reached' : 'invalid_token'),
    })
    return c.json(toOrganization(created, 'owner'), 201)
  })
  .openapi(list, async (c) => {
    const { all, ...page } = c.req.valid('query')
    const { user } = c.var
    const everyOrganization = all === 'true'
    if (everyOrganization && user.role !== 'admin') throw new ApiError('insufficient_permissions')
    const { page: rows, nextCursor } = await listOrganizations(c.var.db, {
      userId: user.id,
      all: everyOrganization,
      ...page,
    })
    return c.json({ organizations: rows.map(({ role, ...org }) => toOrganization(org, role)), nextCursor }, 200)
  })
  .openapi(get, (c) => {
    const { org, actor } = c.var.orgScope
    return c.json(toOrganization(org, actor.orgRole), 200)
  })
  .openapi(update, async (c) => {
    const { db, orgScope } = c.var
    const now = new Date()
    const { set, events: types } = planOrganizationChange(orgScope.org, c.req.valid('json'), now)
    if (types.length === 0) return c.json(toOrganization(orgScope.org, orgScope.actor.orgRole), 200)
    const { changed } = await writeChange(c, {
      change: updateOrganization(db, orgScope.org.id, set),
      events: types.map((type) => orgEvent(type, orgScope.org.id, null, orgOriginOf(c), now)),
      // Deleted since the guard found it.
      unchanged: () => new ApiError('org_not_found'),
    })
    return c.json(toOrganization(changed, orgScope.actor.orgRole), 200)
  })
  .openapi(remove, async (c) => {
    const { db, user, orgScope } = c.var
    await writeChange(c, {
      change: deleteOrganization(db, orgScope.org.id),
      events: [orgEvent('org_deleted', orgScope.org.id, null, originOf(c, user.id))],
      unchanged: () => new ApiError('org_not_found'),
    })
    return c.body(null, 204)
  })
