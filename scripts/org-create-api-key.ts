import { DEFAULT_API_KEY_DAYS } from '../src/orgs/api-key'
import { createApiKeyFor, findNamedOrganization, noOrganization } from './lib/api-key-changes'
import {
  parseApiKeyDays,
  parseApiKeyName,
  parseApiKeyRole,
  parseCommandLine,
  parseOrgReference,
  TARGET_USAGE,
} from './lib/command-line'
import { migrateIfLocal } from './lib/database'
import { runCli } from './lib/run-cli'
import { workerMaxApiKeys } from './lib/worker-settings'

const USAGE = `usage: npm run org:create-api-key -- --org SLUG|ID --name NAME --role admin|member [--expires-in-days N] ${TARGET_USAGE}`

await runCli(async () => {
  const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, {
    required: ['org', 'name', 'role'],
    optional: ['expires-in-days'],
  })
  const ref = parseOrgReference(values.org, usageError)
  const name = parseApiKeyName(values.name, usageError)
  const role = parseApiKeyRole(values.role, usageError)
  const days = values['expires-in-days']
  const expiresInDays = days === undefined ? DEFAULT_API_KEY_DAYS : parseApiKeyDays(days, usageError)
  const maxLive = await workerMaxApiKeys()
  await migrateIfLocal(target)
  const org = await findNamedOrganization(target, ref)
  if (org === undefined) throw noOrganization(ref)
  const { row, key } = await createApiKeyFor(target, org, { name, role, expiresInDays }, maxLive)
  const where = target.remote ? 'remote' : 'local'
  console.error(
    `Created API key "${name}" (${role}, id ${row.id}) for ${org.slug} in the ${where} database, valid until ${row.expiresAt.toISOString()}.`,
  )
  // Only its hash is stored: this is the one chance to copy it.
  console.error('The key is printed below, once; it is not shown again.')
  console.log(key)
  return 0
})
