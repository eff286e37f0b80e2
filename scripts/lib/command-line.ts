import { parseArgs } from 'node:util'
import type { z } from 'zod'
import { type ApiKeyRole, apiKeyRoles, type OrgRole, orgRoles, type Role, roles } from '../../src/data/schema'
import { apiKeyNameSchema, MAX_API_KEY_DAYS } from '../../src/orgs/api-key'
import { orgNameSchema, slugSchema } from '../../src/orgs/organization'
import { usernameSchema } from '../../src/users/new-user'
import type { OrgReference } from './api-key-changes'
import type { D1Target } from './database'
import { CliError } from './run-cli'

/** How the operator commands name their database in a usage line. */
export const TARGET_USAGE = '[--remote | --persist-to DIR]'

const targetOptions = {
  remote: { type: 'boolean', default: false },
  'persist-to': { type: 'string' },
} as const

/** A bad argument: exit code 2, with the command's usage line. */
export type UsageError = (problem: string) => CliError

/**
 * An operator command's arguments: the string options it names, `required` or `optional`, and
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

/** `value` if it is one of `choices`, or a usage error listing them. */
function parseChoice<const T extends string>(
  choices: readonly T[],
  option: string,
  value: string,
  usageError: UsageError,
) {
  const choice = choices.find((candidate) => candidate === value)
  if (choice === undefined) throw usageError(`--${option} must be ${choices.join(' or ')}`)
  return choice
}

/**
 * `value` as the API's `schema` reads it (normalized, where it normalizes), or a usage error with
 * its messages, after `label` for a schema whose messages do not say what they are about.
 */
function parseWith<T>(schema: z.ZodType<T>, value: string, usageError: UsageError, label?: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const messages = result.error.issues.map((issue) => issue.message).join('; ')
  throw usageError(label === undefined ? messages : `${label}: ${messages}`)
}

/** `value` as a role, or a usage error listing the roles. */
export const parseRole = (value: string, usageError: UsageError): Role => parseChoice(roles, 'role', value, usageError)

/** `value` as a role in an organization, or a usage error listing those roles. */
export const parseOrgRole = (value: string, usageError: UsageError): OrgRole =>
  parseChoice(orgRoles, 'role', value, usageError)

/** `value` if it is a well-formed username, which every account's is; otherwise a usage error. */
export const parseUsername = (value: string, usageError: UsageError): string =>
  parseWith(usernameSchema, value, usageError)

/** `value` as a slug, normalized (lower case) as the API keeps it, or a usage error. */
export const parseSlug = (value: string, usageError: UsageError): string => parseWith(slugSchema, value, usageError)

/** `value` as an organization's name, trimmed as the API trims it, or a usage error. */
export const parseOrgName = (value: string, usageError: UsageError): string =>
  parseWith(orgNameSchema, value, usageError, '--name')

/** `value` as an API key's role, or a usage error listing those roles (never owner). */
export const parseApiKeyRole = (value: string, usageError: UsageError): ApiKeyRole =>
  parseChoice(apiKeyRoles, 'role', value, usageError)

/** `value` as an API key's name, trimmed as the API trims it, or a usage error. */
export const parseApiKeyName = (value: string, usageError: UsageError): string =>
  parseWith(apiKeyNameSchema, value, usageError, '--name')

/** `value` as the days an API key lasts, a whole number the API accepts, or a usage error. */
export function parseApiKeyDays(value: string, usageError: UsageError): number {
  const days = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN
  if (!(days >= 1 && days <= MAX_API_KEY_DAYS)) {
    throw usageError(`--expires-in-days must be a whole number from 1 to ${MAX_API_KEY_DAYS}`)
  }
  return days
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** `value` as an organization's id (any case) or slug (normalized), or a usage error; no slug looks like an id. */
export const parseOrgReference = (value: string, usageError: UsageError): OrgReference =>
  UUID.test(value) ? { id: value.toLowerCase() } : { slug: parseSlug(value, usageError) }
