import type { OrgRole } from '../src/data/schema'
import {
  parseCommandLine,
  parseOrgName,
  parseOrgRole,
  parseSlug,
  parseUsername,
  TARGET_USAGE,
} from './lib/command-line'
import { migrateIfLocal } from './lib/database'
import { createOrganizationOwnedBy, findOrganization, noSuchOrganization, setMembership } from './lib/org-changes'
import { CliError, runCli } from './lib/run-cli'
import { disabledNote, findUser } from './lib/user-changes'

const USAGE = `usage: npm run org:add-member -- --org SLUG --username NAME --role owner|admin|member [--name "Display name"] ${TARGET_USAGE}`

const asRole = (role: OrgRole) => (role === 'member' ? 'a member' : `an ${role}`)

await runCli(async () => {
  const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, {
    required: ['org', 'username', 'role'],
    optional: ['name'],
  })
  const slug = parseSlug(values.org, usageError)
  const username = parseUsername(values.username, usageError)
  const role = parseOrgRole(values.role, usageError)
  const name = values.name === undefined ? undefined : parseOrgName(values.name, usageError)
  await migrateIfLocal(target)
  const user = await findUser(target, username)
  const org = await findOrganization(target, slug, user.id)
  if (org === undefined) {
    if (name === undefined) throw noSuchOrganization(slug)
    // The API makes an organization's creator its owner: an organization never lacks one.
    if (role !== 'owner') {
      throw new CliError(
        `no organization with slug ${slug}: creating it makes ${user.username} its owner; give --role owner`,
      )
    }
    const created = await createOrganizationOwnedBy(target, { slug, name }, user.id)
    const where = target.remote ? 'remote' : 'local'
    console.error(
      `Created organization ${slug} (${name}) in the ${where} database, owned by ${user.username}${disabledNote(user)}`,
    )
    console.log(created.id)
    return 0
  }
  // Renaming is the API's: --name only names an organization this creates.
  if (name !== undefined && name !== org.name) console.error(`${org.slug} exists, named ${org.name}: --name ignored`)
  if (org.role === role) {
    console.error(`${user.username} is already ${asRole(role)} of ${org.slug}; nothing changed`)
    console.log(org.id)
    return 0
  }
  await setMembership(target, org, user, role)
  const was = org.role === null ? '' : ` (was ${asRole(org.role)})`
  console.error(`${user.username} is now ${asRole(role)} of ${org.slug}${was}${disabledNote(user)}`)
  console.log(org.id)
  return 0
})
