import { parseArgs } from 'node:util'
import { type Role, roles } from '../../src/data/schema'
import { usernameSchema } from '../../src/users/new-user'
import { CliError } from './run-cli'
import type { D1Target } from './wrangler-d1'

/** How the user commands name their database in a usage line. */
export const TARGET_USAGE = '[--remote | --persist-to DIR]'

const targetOptions = {
  remote: { type: 'boolean', default: false },
  'persist-to': { type: 'string' },
} as const

/** A bad argument: exit code 2, with the command's usage line. */
export type UsageError = (problem: string) => CliError

/**
 * A user command's arguments: the string options it names, `required` or `optional`, and
 * `--remote` or `--persist-to DIR` for its database. Anything else, or a required option
 * left out, is a `usageError`, which the command can also use for its own checks.
 *
 * @example
 * const { values, target, usageError } = parseCommandLine(process.argv.slice(2), USAGE, {
 *   required: ['username'],
 *   optional: ['role'],
 * })
 * // values: { username: string; role?: string }
 */
export function parseCommandLine<const Required extends string, const Optional extends string = never>(
  args: string[],
  usage: string,
  { required, optional = [] }: { required: readonly Required[]; optional?: readonly Optional[] },
) {
  const usageError: UsageError = (problem) => new CliError(`${problem}; ${usage}`, 2)
  const named = Object.fromEntries([...required, ...optional].map((name) => [name, { type: 'string' } as const]))
  let parsed: { remote: boolean; 'persist-to'?: string; [name: string]: unknown }
  try {
    parsed = parseArgs({ args, strict: true, allowPositionals: false, options: { ...named, ...targetOptions } }).values
  } catch (error) {
    // Node's messages go on to explain `--`; the first sentence says what is wrong.
    throw usageError(error instanceof Error ? error.message.split(/\.\s/)[0] : String(error))
  }
  const { remote, 'persist-to': persistTo, ...values } = parsed
  const missing = required.find((name) => values[name] === undefined)
  if (missing !== undefined) throw usageError(`--${missing} is required`)
  if (remote && persistTo !== undefined) throw usageError('--persist-to is for the local database only')
  const target: D1Target = remote ? { remote: true } : { remote: false, persistTo }
  // parseArgs typed every named option as a string, and the required ones are there.
  return { values: values as Record<Required, string> & Partial<Record<Optional, string>>, target, usageError }
}

/** `value` as a role, or a usage error listing the roles. */
export function parseRole(value: string, usageError: UsageError): Role {
  const role = roles.find((candidate) => candidate === value)
  if (role === undefined) throw usageError(`--role must be ${roles.join(' or ')}`)
  return role
}

/** `value` if it is a well-formed username, which every account's is; otherwise a usage error. */
export function parseUsername(value: string, usageError: UsageError): string {
  const username = usernameSchema.safeParse(value)
  if (!username.success) throw usageError(username.error.issues.map((issue) => issue.message).join('; '))
  return username.data
}
