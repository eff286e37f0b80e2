/** A deployment setting is missing or out of range: the Worker answers 500 and logs why. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Deployed Workers refuse PBKDF2 above this; local workerd does not, so the code does. */
export const MAX_PBKDF2_ITERATIONS = 100_000

function integerVar(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}`)
  }
  return value
}

const stringVar = (raw: string | undefined, fallback: string) => (raw === undefined || raw === '' ? fallback : raw)

export const tokenTtlSeconds = (env: Env): number =>
  integerVar('TOKEN_TTL_SECONDS', env.TOKEN_TTL_SECONDS, 86_400, 60, 31 * 86_400)

export const pbkdf2Iterations = (env: Env): number =>
  integerVar('PBKDF2_ITERATIONS', env.PBKDF2_ITERATIONS, 100_000, 1_000, MAX_PBKDF2_ITERATIONS)

/** `iss` of every token signed, and required of every token accepted. */
export const tokenIssuer = (env: Env): string => stringVar(env.TOKEN_ISSUER, 'orgstack')

/** `aud` of every token signed, and required of every token accepted. */
export const tokenAudience = (env: Env): string => stringVar(env.TOKEN_AUDIENCE, 'orgstack-api')
