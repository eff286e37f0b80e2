import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { CLI_ORIGIN, orgEvent } from '../../src/audit/events'
import { insertApiKey } from '../../src/data/api-keys'
import { recordIfChanged } from '../../src/data/audit-events'
import { organizations } from '../../src/data/schema'
import { type ApiKeyInput, buildApiKey } from '../../src/orgs/api-key'
import { type D1Target, d1Batch, d1Execute } from './database'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'

// wrangler returns rows keyed by column name; these columns are named as their fields are.
const NamedOrganization = z.object({ id: z.string(), slug: z.string(), name: z.string() })

/** An organization as a command names it to the operator. */
export type NamedOrganization = z.output<typeof NamedOrganization>

/** How the command names an organization: by its id, or by its slug (after normalization). */
export type OrgReference = { id: string } | { slug: string }

const describe = (org: OrgReference) => ('id' in org ? `id ${org.id}` : `slug ${org.slug}`)

/** The error for an organization that does not exist. */
export const noOrganization = (org: OrgReference) => new CliError(`no organization with ${describe(org)}`)

/**
 * The organization `org` names, or undefined if there is none.
 *
 * @example
 * const found = await findNamedOrganization({ remote: false }, { slug: 'acme' })
 * // { id: '0197…', slug: 'acme', name: 'Acme' }
 */
export async function findNamedOrganization(
  target: D1Target,
  org: OrgReference,
): Promise<NamedOrganization | undefined> {
  const [row] = await d1Execute(
    target,
    sqlBuilder
      .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
      .from(organizations)
      .where('id' in org ? eq(organizations.id, org.id) : eq(organizations.slug, org.slug)),
  )
  return row === undefined ? undefined : NamedOrganization.parse(row)
}

/**
 * Creates an API key for `org` as the API would (same row, only the key's hash stored), with no
 * creator, so it outlives every account, and its `api_key_created` event by the command line:
 * one batch, written together or not at all. Refused, as a `CliError`, when the organization holds
 * `maxLive` live keys or was deleted since it was looked up. Returns the key, which nothing keeps.
 *
 * @example
 * const { key, row } = await createApiKeyFor({ remote: false }, org, { name: 'CI', role: 'admin', expiresInDays: 90 }, 50)
 */
export async function createApiKeyFor(
  target: D1Target,
  org: NamedOrganization,
  input: Omit<ApiKeyInput, 'survivesCreator'>,
  maxLive: number,
) {
  const now = new Date()
  // No creator to lose: a key the operator makes is bound to no account.
  const { row, key } = await buildApiKey({ ...input, survivesCreator: true }, { orgId: org.id, createdBy: null }, now)
  const event = { ...orgEvent('api_key_created', org.id, null, CLI_ORIGIN, now), apiKeyId: row.id }
  const [created] = await d1Batch(target, [insertApiKey(sqlBuilder, row, maxLive), recordIfChanged(sqlBuilder, event)])
  if (created.length > 0) return { row, key }
  // Refused: either the organization is gone, or it is at the limit.
  if ((await findNamedOrganization(target, { id: org.id })) === undefined) throw noOrganization({ slug: org.slug })
  throw new CliError(
    `${org.slug} already has ${maxLive} live API keys (MAX_API_KEYS_PER_ORG); revoke one through the API first`,
  )
}
