import { type Hashing, MAX_PBKDF2_ITERATIONS, type Peppers, peppersOf } from './auth/passwords'
import { refreshKeysOf } from './auth/refresh-token-codec'
import { type Keyring, type TokenSettings, tokenKeysOf } from './auth/tokens'

/**
 * A deployment setting is missing or out of range: the Worker answers 503 `server_misconfigured`
 * and logs which setting, never its value.
 *
 * @example
 * throw new ConfigError('JWT_SECRET', 'JWT_SECRET is missing or shorter than 32 bytes')
 */
export class ConfigError extends Error {
  override name = 'ConfigError'

  constructor(
    /** The var or secret to fix, as `wrangler.toml` or `wrangler secret put` names it. */
    readonly setting: string,
    message: string,
  ) {
    super(message)
  }
}

/** `raw`, an integer var, range-checked; `fallback` when it is unset. */
function integerVar(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

/** `raw`, a string var; `fallback` when it is unset. */
const stringVar = (raw: string | undefined, fallback: string) => (raw === undefined || raw === '' ? fallback : raw)

/** The least a secret may be, in UTF-8 bytes: 256 bits for HMAC-SHA-256 keys. */
export const MIN_SECRET_BYTES = 32
const encoder = new TextEncoder()

function secretBytes(name: string, secret: string | undefined): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(encoder.encode(secret ?? ''))
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new ConfigError(name, `${name} is missing or shorter than ${MIN_SECRET_BYTES} bytes`)
  }
  return bytes
}

/**
 * What `derive` makes of the secret `name` and, during a rotation, of `<name>_PREVIOUS` (the
 * current first), made again only when either changes: every `env` of an isolate shares it.
 */
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

/** The keys of `JWT_SECRET`: tokens' signing and verifying keys, and refresh tokens' MAC keys. */
const jwtKeysOf = rotatingSecret('JWT_SECRET', async (secrets) => {
  const [tokens, refresh] = await Promise.all([tokenKeysOf(secrets), refreshKeysOf(secrets)])
  return { tokens, refresh }
})

const pepperKeysOf = rotatingSecret('PASSWORD_PEPPER', peppersOf)

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** When password checks are refused, and for how long; see `data/login-throttles.ts`. */
const loginThrottleOf = (env: Env) => ({
  /** Failures of one account from one client network before it is blocked: trips early, hurts only that client. */
  maxPerAccountAndIp: integerVar('LOGIN_MAX_FAILURES_ACCOUNT_IP', env.LOGIN_MAX_FAILURES_ACCOUNT_IP, 5, 1, 1000),
  /** Failures of one account from all networks: trips much later, against distributed guessing. */
  maxPerAccount: integerVar('LOGIN_MAX_FAILURES_ACCOUNT', env.LOGIN_MAX_FAILURES_ACCOUNT, 50, 1, 100_000),
  /** Failures from one client network over all accounts: credential stuffing. */
  maxPerIp: integerVar('LOGIN_MAX_FAILURES_IP', env.LOGIN_MAX_FAILURES_IP, 100, 1, 1_000_000),
  /** One failure drains from a counter per window this long without attempts or blocks. */
  windowSeconds: integerVar('LOGIN_FAILURE_WINDOW_SECONDS', env.LOGIN_FAILURE_WINDOW_SECONDS, 900, 1, 86_400),
  /** The first block; each attempt past the limit doubles it, up to `maxLockoutSeconds`. */
  lockoutSeconds: integerVar('LOGIN_LOCKOUT_SECONDS', env.LOGIN_LOCKOUT_SECONDS, 30, 1, 86_400),
  maxLockoutSeconds: integerVar('LOGIN_MAX_LOCKOUT_SECONDS', env.LOGIN_MAX_LOCKOUT_SECONDS, 3600, 1, 7 * 86_400),
  /** Failures of a login from a trusted device before its device token is spent; it counts on nothing else. */
  maxPerDevice: integerVar('LOGIN_MAX_FAILURES_DEVICE', env.LOGIN_MAX_FAILURES_DEVICE, 3, 1, 100),
})

export type LoginThrottleSettings = ReturnType<typeof loginThrottleOf>

/** How long refresh tokens live, how late a rotated one may come back, and how fast a family rotates; see `auth/refresh-tokens.ts`. */
function refreshOf(env: Env, keys: CryptoKey[]) {
  /** A token unused this long is refused; each refresh gives a new token this long. */
  const idleDays = integerVar('REFRESH_IDLE_DAYS', env.REFRESH_IDLE_DAYS, 14, 1, 365)
  /** No token of a login is refreshed this long after the login. */
  const absoluteDays = integerVar('REFRESH_ABSOLUTE_DAYS', env.REFRESH_ABSOLUTE_DAYS, 30, 1, 365)
  /** A rotated token presented again this soon is a race and gets the same successor; later, a replay. */
  const reuseIntervalSeconds = integerVar(
    'REFRESH_REUSE_INTERVAL_SECONDS',
    env.REFRESH_REUSE_INTERVAL_SECONDS,
    10,
    0,
    300,
  )
  /** Rotations one family may make at once, then again as many per minute; more are refused without revoking. */
  const rotationsPerMinute = integerVar('REFRESH_ROTATIONS_PER_MINUTE', env.REFRESH_ROTATIONS_PER_MINUTE, 10, 1, 60_000)
  const rotationCostMs = Math.ceil(MINUTE_MS / rotationsPerMinute)
  return {
    /** The MAC keys of refresh tokens; tokens are made with the first. */
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

/** What signed-in users may make the Worker store about organizations; see `data/invitations.ts`. */
const organizationLimitsOf = (env: Env) => ({
  /** An invitation not answered this long is refused, then deleted by the scheduled cleanup. */
  invitationTtlDays: integerVar('INVITATION_TTL_DAYS', env.INVITATION_TTL_DAYS, 7, 1, 365),
  /** Unexpired invitations one organization may have. */
  maxPendingInvitations: integerVar('MAX_PENDING_INVITATIONS', env.MAX_PENDING_INVITATIONS, 100, 1, 10_000),
  /** Invitations one user may send in any hour, over every organization. */
  maxInvitationsPerHour: integerVar('MAX_INVITATIONS_PER_HOUR', env.MAX_INVITATIONS_PER_HOUR, 100, 1, 10_000),
  /** Organizations one user may belong to, by creating one or accepting an invitation. */
  maxOrgsPerUser: integerVar('MAX_ORGS_PER_USER', env.MAX_ORGS_PER_USER, 100, 1, 10_000),
})

export type OrganizationLimits = ReturnType<typeof organizationLimitsOf>

function tokensOf(env: Env, keys: Keyring): TokenSettings {
  return {
    ...keys,
    /** `iss` of every token signed, and required of every token accepted. */
    issuer: stringVar(env.TOKEN_ISSUER, 'orgstack'),
    /** `aud` of every token signed, and required of every token accepted. */
    audience: stringVar(env.TOKEN_AUDIENCE, 'orgstack-api'),
    ttlSeconds: integerVar('TOKEN_TTL_SECONDS', env.TOKEN_TTL_SECONDS, 86_400, 60, 31 * 86_400),
  }
}

/** The secrets and var password hashing reads: the Worker's env, or what the CLI read for its target. */
type PasswordVars = Partial<Pick<Env, 'PBKDF2_ITERATIONS' | 'PASSWORD_PEPPER' | 'PASSWORD_PEPPER_PREVIOUS'>>

/**
 * What new hashes are made with (`PBKDF2_ITERATIONS`, the current pepper), and every pepper a
 * stored hash may name (`PASSWORD_PEPPER`, and `PASSWORD_PEPPER_PREVIOUS` during a rotation).
 *
 * @example
 * const { hashing } = await passwordsOf({ PBKDF2_ITERATIONS: '100000', PASSWORD_PEPPER: pepper })
 */
export async function passwordsOf(vars: PasswordVars): Promise<{ hashing: Hashing; peppers: Peppers }> {
  const iterations = integerVar('PBKDF2_ITERATIONS', vars.PBKDF2_ITERATIONS, 100_000, 1_000, MAX_PBKDF2_ITERATIONS)
  const peppers = await pepperKeysOf(vars.PASSWORD_PEPPER, vars.PASSWORD_PEPPER_PREVIOUS)
  return { hashing: { iterations, pepper: peppers.current }, peppers }
}

function readTransport(env: Env) {
  const corsOrigins = env.CORS_ORIGINS ?? ''
  return {
    /** In production a plain-HTTP request is refused, not redirected. */
    httpsOnly: env.ENVIRONMENT === 'production',
    /** The origins CORS allows (`CORS_ORIGINS`, comma-separated); none when unset. */
    corsOrigins: new Set(corsOrigins.trim() === '' ? [] : corsOrigins.split(',').map((origin) => origin.trim())),
  }
}

const transports = new WeakMap<Env, ReturnType<typeof readTransport>>()

/**
 * How requests may reach the Worker, once per `env`: none of it can be out of range, so the
 * middleware in front of every route (the document and /docs too) reads it without the rest.
 */
export function transportOf(env: Env) {
  let transport = transports.get(env)
  if (transport === undefined) {
    transport = readTransport(env)
    transports.set(env, transport)
  }
  return transport
}

/** Every setting, checked: the first one missing or out of range throws its `ConfigError`. */
async function read(env: Env) {
  const jwtKeys = await jwtKeysOf(env.JWT_SECRET, env.JWT_SECRET_PREVIOUS)
  return {
    tokens: tokensOf(env, jwtKeys.tokens),
    passwords: await passwordsOf(env),
    refresh: refreshOf(env, jwtKeys.refresh),
    throttle: loginThrottleOf(env),
    devices: {
      /** How long a device token lasts after the last login that used it; see `auth/device-tokens.ts`. */
      ttlMs: integerVar('DEVICE_TOKEN_DAYS', env.DEVICE_TOKEN_DAYS, 90, 1, 365) * DAY_MS,
    },
    organizations: organizationLimitsOf(env),
    audit: {
      /** How long audit events are kept before the scheduled cleanup deletes them. */
      retentionDays: integerVar('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 90, 1, 36_500),
    },
    transport: transportOf(env),
  }
}

export type Settings = Awaited<ReturnType<typeof read>>

const cache = new WeakMap<Env, Promise<Settings>>()

/**
 * The Worker's settings for `env`, read and checked once per isolate and `env` object. Rejects
 * with the `ConfigError` of a missing or out-of-range setting, every time it is asked.
 *
 * @example
 * const { tokens, audit } = await settingsOf(env)
 */
export function settingsOf(env: Env): Promise<Settings> {
  let settings = cache.get(env)
  if (settings === undefined) {
    settings = read(env)
    cache.set(env, settings)
  }
  return settings
}
