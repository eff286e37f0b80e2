import { users } from '../../src/data/schema'
import { passwordsOf } from '../../src/settings'
import { type D1Target, d1Execute } from './database'
import { sqlBuilder } from './inline-sql'
import { CliError } from './run-cli'

// The `p=` part of a stored hash (src/auth/passwords.ts): which pepper it was made with.
const PEPPER_ID = /\$i=\d+,p=([0-9a-f]{8})\$/

/** The pepper ids the stored password hashes name; hashes made before peppers name none. */
async function storedPepperIds(target: D1Target): Promise<Set<string>> {
  const rows = await d1Execute(target, sqlBuilder.selectDistinct({ passwordHash: users.passwordHash }).from(users))
  // Rows come keyed by column name (`password_hash`), not by drizzle's field name: the one value is the hash.
  return new Set(rows.flatMap((row) => PEPPER_ID.exec(String(Object.values(row)[0]))?.[1] ?? []))
}

/**
 * Refuses to serve a local database whose accounts could not log in: their hashes name a
 * pepper that neither `PASSWORD_PEPPER` nor `PASSWORD_PEPPER_PREVIOUS` of .dev.vars is, as
 * after .dev.vars was deleted and written again with a new random one.
 */
export async function checkStoredPeppers(
  target: Extract<D1Target, { remote: false }>,
  { PASSWORD_PEPPER, PASSWORD_PEPPER_PREVIOUS }: Record<string, string | undefined>,
): Promise<void> {
  const { peppers } = await passwordsOf({ PASSWORD_PEPPER, PASSWORD_PEPPER_PREVIOUS })
  const unknown = [...(await storedPepperIds(target))].filter((id) => !peppers.byId.has(id))
  if (unknown.length === 0) return
  throw new CliError(
    [
      `The local database's passwords were hashed with a PASSWORD_PEPPER that .dev.vars no longer has (pepper id ${unknown.join(', ')}),`,
      'so no local account could log in. Either:',
      '- put the old PASSWORD_PEPPER back in .dev.vars (or set it as PASSWORD_PEPPER_PREVIOUS), or',
      `- start fresh: delete the local state (rm -rf ${target.persistTo ?? '.wrangler/state'}) and run npm run dev again.`,
    ].join('\n'),
  )
}
