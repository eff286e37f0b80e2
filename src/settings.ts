import { type Hashing, MAX_PBKDF2_ITERATIONS, type Peppers, peppersOf } from './auth/passwords'
import { refreshKeysOf } from './auth/refresh-token-codec'
import { type Keyring, type TokenSettings, tokenKeysOf } from './auth/tokens'

/** Responded to with 503 `server_misconfigured`; the log names the setting, never its value. */
export class ConfigError extends Error {
  override name = 'ConfigError'

  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message)
  }
}

function integerVar(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

const stringVar = (raw: string | undefined, fallback: string) => (raw === undefined || raw === '' ? fallback : raw)

/** In UTF-8 bytes: 256 bits for HMAC-SHA-256 keys. */
export const MIN_SECRET_BYTES = 32
const encoder = new TextEncoder()

function secretBytes(name: string, secret: string | undefined): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(secret ?? ''))
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(name, `${name} is missing or shorter than ${MIN_SECRET_BYTES} bytes`)
  }
  return bytes
}

/** Derived again only when `name` or `<name>_PREVIOUS` changes: every `env` of an isolate shares the keys. */
function rotatingSecret<T>(name: string, derive: (secrets: Uint8Array<ArrayBuffer>[]) => Promise<T>) {
  let kept: { current?: string; previous?: string; value: Promise<T> } | undefined
  return (current: string | undefined, previousOrEmpty: string | undefined): Promise<T> => {
    const previous = previousOrEmpty || undefined
    if (kept && kept.current === current && kept.previous === previous) return kept.value
    const secrets = [secretBytes(name, current)]
    if (previous !== undefined) secrets.push(secretBytes(`${name}_PREVIOUS`, previous))
    kept = { current, previous, value: derive(secrets) }
    return kept.value
  }
}

const jwtKeysOf = rotatingSecret('JWT_SECRET', async (secrets) => {
  const [tokens, refresh] = await Promise.all([tokenKeysOf(secrets), refreshKeysOf(secrets)])
  return { tokens, refresh }
})

const pepperKeysOf = rotatingSecret('PASSWORD_PEPPER', peppersOf)

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

// Each var is described in README.md's configuration table.
const loginThrottleOf = (env: Env) => ({
  maxPerAccountAndIp: integerVar('LOGIN_MAX_FAILURES_ACCOUNT_IP', env.LOGIN_MAX_FAILURES_ACCOUNT_IP, 5, 1, 1000),
  maxPerAccount: integerVar('LOGIN_MAX_FAILURES_ACCOUNT', env.LOGIN_MAX_FAILURES_ACCOUNT, 50, 1, 100_000),
  maxPerIp: integerVar('LOGIN_MAX_FAILURES_IP', env.LOGIN_MAX_FAILURES_IP, 100, 1, 1_000_000),
  windowSeconds: integerVar('LOGIN_FAILURE_WINDOW_SECONDS', env.LOGIN_FAILURE_WINDOW_SECONDS, 900, 1, 86_400),
  lockoutSeconds: integerVar('LOGIN_LOCKOUT_SECONDS', env.LOGIN_LOCKOUT_SECONDS, 30, 1, 86_400),
  maxLockoutSeconds: integerVar('LOGIN_MAX_LOCKOUT_SECONDS', env.LOGIN_MAX_LOCKOUT_SECONDS, 3600, 1, 7 * 86_400),
  maxPerDevice: integerVar('LOGIN_MAX_FAILURES_DEVICE', env.LOGIN_MAX_FAILURES_DEVICE, 3, 1, 100),
})

export type LoginThrottleSettings = ReturnType<typeof loginThrottleOf>

function refreshOf(env: Env, keys: CryptoKey[]) {
  const idleDays = integerVar('REFRESH_IDLE_DAYS', env.REFRESH_IDLE_DAYS, 14, 1, 365)
  const absoluteDays = integerVar('REFRESH_ABSOLUTE_DAYS', env.REFRESH_ABSOLUTE_DAYS, 30, 1, 365)
  const reuseIntervalSeconds = integerVar(
    'REFRESH_REUSE_INTERVAL_SECONDS',
    env.REFRESH_REUSE_INTERVAL_SECONDS,
    10,
    0,
    300,
  )
  const rotationsPerMinute = integerVar('REFRESH_ROTATIONS_PER_MINUTE', env.REFRESH_ROTATIONS_PER_MINUTE, 10, 1, 60_000)
  const rotationCostMs = Math.ceil(MINUTE_MS / rotationsPerMinute)
  return {
    keys,
    idleMs: idleDays * DAY_MS,
    absoluteMs: absoluteDays * DAY_MS,
    reuseIntervalMs: reuseIntervalSeconds * 1000,
    rotationCostMs,
    // Room for `rotationsPerMinute` rotations at once, refilled at that many a minute.
    budgetMs: rotationCostMs * rotationsPerMinute,
  }
}

export type RefreshSettings = ReturnType<typeof refreshOf>

/** Also read by the CLI, from wrangler.toml, so that it refuses what the Worker would. */
export const organizationLimitsOf = (env: Partial<Env>) => ({
  invitationTtlDays: integerVar('INVITATION_TTL_DAYS', env.INVITATION_TTL_DAYS, 7, 1, 365),
  maxPendingInvitations: integerVar('MAX_PENDING_INVITATIONS', env.MAX_PENDING_INVITATIONS, 100, 1, 10_000),
  maxInvitationsPerHour: integerVar('MAX_INVITATIONS_PER_HOUR', env.MAX_INVITATIONS_PER_HOUR, 100, 1, 10_000),
  maxOrgsPerUser: integerVar('MAX_ORGS_PER_USER', env.MAX_ORGS_PER_USER, 100, 1, 10_000),
  maxApiKeysPerOrg: integerVar('MAX_API_KEYS_PER_ORG', env.MAX_API_KEYS_PER_ORG, 50, 1, 1000),
})

export type OrganizationLimits = ReturnType<typeof organizationLimitsOf>

function tokensOf(env: Env, keys: Keyring): TokenSettings {
  return {
    ...keys,
    issuer: stringVar(env.TOKEN_ISSUER, 'orgstack'),
    audience: stringVar(env.TOKEN_AUDIENCE, 'orgstack-api'),
    ttlSeconds: integerVar('TOKEN_TTL_SECONDS', env.TOKEN_TTL_SECONDS, 86_400, 60, 31 * 86_400),
  }
}

/** The Worker's env, or what the CLI read for its target. */
type PasswordVars = Partial<Pick<Env, 'PBKDF2_ITERATIONS' | 'PASSWORD_PEPPER' | 'PASSWORD_PEPPER_PREVIOUS'>>

export async function passwordsOf(vars: PasswordVars): Promise<{ hashing: Hashing; peppers: Peppers }> {
  const iterations = integerVar('PBKDF2_ITERATIONS', vars.PBKDF2_ITERATIONS, 100_000, 1_000, MAX_PBKDF2_ITERATIONS)
  const peppers = await pepperKeysOf(vars.PASSWORD_PEPPER, vars.PASSWORD_PEPPER_PREVIOUS)
  return { hashing: { iterations, pepper: peppers.current }, peppers }
}

function readTransport(env: Env) {
  const corsOrigins = env.CORS_ORIGINS ?? ''
  return {
    httpsOnly: env.ENVIRONMENT === 'production',
    corsOrigins: new Set(corsOrigins.trim() === '' ? [] : corsOrigins.split(',').map((origin) => origin.trim())),
  }
}

const transports = new WeakMap<Env, ReturnType<typeof readTransport>>()

/** Never out of range, so the middleware in front of every route (the document and /docs too) reads it alone. */
export function transportOf(env: Env) {
  let transport = transports.get(env)
  if (transport === undefined) {
    transport = readTransport(env)
    transports.set(env, transport)
  }
  return transport
}

/** Throws the `ConfigError` of the first setting missing or out of range. */
async function read(env: Env) {
  const jwtKeys = await jwtKeysOf(env.JWT_SECRET, env.JWT_SECRET_PREVIOUS)
  return {
    tokens: tokensOf(env, jwtKeys.tokens),
    passwords: await passwordsOf(env),
    refresh: refreshOf(env, jwtKeys.refresh),
    throttle: loginThrottleOf(env),
    devices: {
      ttlMs: integerVar('DEVICE_TOKEN_DAYS', env.DEVICE_TOKEN_DAYS, 90, 1, 365) * DAY_MS,
    },
    organizations: organizationLimitsOf(env),
    accountCacheMs: integerVar('ACCOUNT_CACHE_MS', env.ACCOUNT_CACHE_MS, 0, 0, 60_000),
    audit: {
      retentionDays: integerVar('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 90, 1, 36_500),
    },
  }
}

export type Settings = Awaited<ReturnType<typeof read>>

const cache = new WeakMap<Env, Promise<Settings>>()

/** Read once per isolate and `env`; while a setting is bad, rejects with its `ConfigError` every time. */
export function settingsOf(env: Env): Promise<Settings> {
  let settings = cache.get(env)
  if (settings === undefined) {
    settings = read(env)
    cache.set(env, settings)
  }
  return settings
}
