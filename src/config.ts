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
export function integerVar(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

/** `raw`, a string var; `fallback` when it is unset. */
export const stringVar = (raw: string | undefined, fallback: string) =>
  raw === undefined || raw === '' ? fallback : raw

/** How long audit events are kept before the scheduled cleanup deletes them. */
export const auditRetentionDays = (env: Env): number =>
  integerVar('AUDIT_RETENTION_DAYS', env.AUDIT_RETENTION_DAYS, 90, 1, 36_500)

/** When password checks are refused, and for how long; see `data/login-throttles.ts`. */
export const loginThrottleSettings = (env: Env) => ({
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

export type LoginThrottleSettings = ReturnType<typeof loginThrottleSettings>

/** How long a device token stays good after the last login that used it; see `auth/device-tokens.ts`. */
export const deviceTokenDays = (env: Env): number => integerVar('DEVICE_TOKEN_DAYS', env.DEVICE_TOKEN_DAYS, 90, 1, 365)

/** How long refresh tokens live, how late a rotated one may come back, and how fast a family rotates; see `auth/refresh-tokens.ts`. */
export const refreshTokenLifetimes = (env: Env) => ({
  /** A token unused this long is refused; each refresh gives a new token this long. */
  idleDays: integerVar('REFRESH_IDLE_DAYS', env.REFRESH_IDLE_DAYS, 14, 1, 365),
  /** No token of a login is refreshed this long after the login. */
  absoluteDays: integerVar('REFRESH_ABSOLUTE_DAYS', env.REFRESH_ABSOLUTE_DAYS, 30, 1, 365),
  /** A rotated token presented again this soon is a race and gets the same successor; later, a replay. */
  reuseIntervalSeconds: integerVar('REFRESH_REUSE_INTERVAL_SECONDS', env.REFRESH_REUSE_INTERVAL_SECONDS, 10, 0, 300),
  /** Rotations one family may make at once, then again as many per minute; more are refused without revoking. */
  rotationsPerMinute: integerVar('REFRESH_ROTATIONS_PER_MINUTE', env.REFRESH_ROTATIONS_PER_MINUTE, 10, 1, 60_000),
})

/** What signed-in users may make the Worker store about organisations; see `data/invitations.ts`. */
export const organizationLimits = (env: Env) => ({
  /** An invitation not answered this long is refused, then deleted by the scheduled cleanup. */
  invitationTtlDays: integerVar('INVITATION_TTL_DAYS', env.INVITATION_TTL_DAYS, 7, 1, 365),
  /** Unexpired invitations one organisation may have. */
  maxPendingInvitations: integerVar('MAX_PENDING_INVITATIONS', env.MAX_PENDING_INVITATIONS, 100, 1, 10_000),
  /** Invitations one user may send in any hour, over every organisation. */
  maxInvitationsPerHour: integerVar('MAX_INVITATIONS_PER_HOUR', env.MAX_INVITATIONS_PER_HOUR, 100, 1, 10_000),
  /** Organisations one user may belong to, by creating one or accepting an invitation. */
  maxOrgsPerUser: integerVar('MAX_ORGS_PER_USER', env.MAX_ORGS_PER_USER, 100, 1, 10_000),
})

export type OrganizationLimits = ReturnType<typeof organizationLimits>
