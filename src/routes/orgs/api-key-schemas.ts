import { z } from '@hono/zod-openapi'
import { API_KEY_PATTERN, API_KEY_PREFIX } from '../../auth/api-key-codec'
import type { ApiKeyListing } from '../../data/api-keys'
import { apiKeyRoles } from '../../data/schema'
import { idParamSchema, idSchema } from '../../http/id-schemas'
import { nextCursorSchema } from '../../http/openapi'
import { VISIBLE_ONLY } from '../../lib/visible-text'
import { apiKeyNameSchema, DEFAULT_API_KEY_DAYS, MAX_API_KEY_DAYS } from '../../orgs/api-key'
import { OrgParamsSchema } from './schemas'

export const ApiKeyParamsSchema = OrgParamsSchema.extend({
  keyId: idParamSchema.openapi({
    param: { name: 'keyId', in: 'path' },
    description: "The key's `keyId`, in either case",
  }),
})

const timestamp = z.iso.datetime()

export const NewApiKeySchema = z
  .strictObject({
    name: apiKeyNameSchema.openapi({
      pattern: `^(?=.*\\S)${VISIBLE_ONLY.source.slice(1)}`,
      description: 'What the key is for; up to 100 characters, not blank, kept without surrounding spaces',
      example: 'CI deploys',
    }),
    role: z.enum(apiKeyRoles).openapi({
      description: 'The role the key acts with in the organization: `member` or `admin` (never `owner`)',
    }),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_API_KEY_DAYS)
      .default(DEFAULT_API_KEY_DAYS)
      .openapi({
        description: `Days until the key stops working, 1 to ${MAX_API_KEY_DAYS} (default ${DEFAULT_API_KEY_DAYS})`,
      }),
    survivesCreator: z.boolean().default(false).openapi({
      description:
        'Owners only: the key keeps working when its creator leaves, loses the owner or admin role, or is disabled or deleted. Otherwise it stops working then.',
    }),
  })
  .openapi('NewApiKey')

const CreatorSchema = z
  .object({ userId: idSchema, username: z.string().openapi({ example: 'ada' }) })
  .nullable()
  .openapi({ description: 'Who created it; null once their account is deleted, or for a key the CLI created' })

/** Never the key or its hash. */
export const ApiKeySchema = z
  .object({
    keyId: idSchema,
    name: z.string().openapi({ example: 'CI deploys' }),
    role: z.enum(apiKeyRoles),
    prefix: z
      .literal(API_KEY_PREFIX)
      .openapi({ description: 'Every key starts with it, so secret scanners find a leaked one' }),
    publicId: z.string().openapi({
      description: 'The 12 characters after `osk_`: not secret, enough to tell which key leaked',
      example: 'Zx81Lq0PfA3d',
    }),
    createdBy: CreatorSchema,
    survivesCreator: z.boolean(),
    createdAt: timestamp,
    expiresAt: timestamp,
    lastUsedAt: timestamp.nullable().openapi({ description: 'Updated at most once a minute; null if never used' }),
    revokedAt: timestamp.nullable(),
  })
  .openapi('ApiKey')

export const API_KEY_EXAMPLE: z.infer<typeof ApiKeySchema> = {
  keyId: '019ac1f6-4e5f-7061-9273-8495a6b7c8d9',
  name: 'CI deploys',
  role: 'admin',
  prefix: API_KEY_PREFIX,
  publicId: 'Zx81Lq0PfA3d',
  createdBy: { userId: '019ac1f2-6b2a-7bcd-9e00-123456789abc', username: 'ada' },
  survivesCreator: false,
  createdAt: '2026-11-29T10:15:30.123Z',
  expiresAt: '2027-02-27T10:15:30.123Z',
  lastUsedAt: null,
  revokedAt: null,
}

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().regex(API_KEY_PATTERN).openapi({
    description: 'The key, shown this once: only its hash is stored. Send it as `Authorization: Bearer osk_…`.',
    example: 'osk_Zx81Lq0PfA3d_8kQ2vN5rT0wY7zB4cF1hJ6mP9sU3xA0dG5jL8nR2tV7',
  }),
}).openapi('CreatedApiKey')

export const ApiKeyPageSchema = z
  .object({ apiKeys: z.array(ApiKeySchema), nextCursor: nextCursorSchema })
  .openapi('ApiKeyPage')

/** Field by field, so the hash never slips in. */
export const toApiKey = (key: ApiKeyListing): z.infer<typeof ApiKeySchema> => ({
  keyId: key.id,
  name: key.name,
  role: key.role,
  prefix: API_KEY_PREFIX,
  publicId: key.publicId,
  createdBy: key.creator ? { userId: key.creator.id, username: key.creator.username } : null,
  survivesCreator: key.survivesCreator,
  createdAt: key.createdAt.toISOString(),
  expiresAt: key.expiresAt.toISOString(),
  lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  revokedAt: key.revokedAt?.toISOString() ?? null,
})
