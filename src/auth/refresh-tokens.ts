import { auditEvent, type EventOrigin } from '../audit/events'
import { batchByName, type Database } from '../data/client'
import { insertFamily, rotateFamily } from '../data/refresh-tokens'
import type { NewAuditEvent, User } from '../data/schema'
import { uuidv7 } from '../lib/uuid-v7'
import type { RefreshSettings } from '../settings'
import { hasRefreshTokenShape, mintRefreshToken, readRefreshToken } from './refresh-token-codec'

// A family is one row: its current generation and when it last rotated. A token names its family
// and generation under a MAC (`refresh-token-codec.ts`), so any token of a family is known for
// what it is without being stored, and a successor (the next generation) is the same for every
// request racing with one token.

export { hasRefreshTokenShape, REFRESH_TOKEN_LENGTH, REFRESH_TOKEN_PATTERN } from './refresh-token-codec'

/** Seconds from `now` until `until`, rounded down: what `refreshExpiresIn` answers. */
const secondsUntil = (until: Date, now: Date) => Math.floor((until.getTime() - now.getTime()) / 1000)

/**
 * A new family for a login (or a password change), and its first token. `statements` go into
 * the batch that completes the login, before the answer; `familyId` goes into the access token
 * (`issueToken`'s `familyId`). `user.tokenVersion` must be the version that access token carries:
 * if the user's has moved on by the time the batch runs, no family is written.
 *
 * @example
 * const family = await startFamily(db, user, c.var.settings.refresh)
 * await writeChange(c, { statements: { release, ...family.statements }, events })
 * const { token } = await issueToken(user, tokens, family.familyId)
 * // answer { ...token fields, refreshToken: family.refreshToken, refreshExpiresIn: family.refreshExpiresIn }
 */
export async function startFamily(
  db: Database,
  user: Pick<User, 'id' | 'tokenVersion'>,
  settings: RefreshSettings,
  now = new Date(),
) {
  const familyId = uuidv7(now.getTime())
  const statements = {
    family: insertFamily(db, {
      id: familyId,
      userId: user.id,
      tokenVersion: user.tokenVersion,
      now,
      idleMs: settings.idleMs,
      absoluteMs: settings.absoluteMs,
    }),
  }
  const refreshToken = await mintRefreshToken({ familyId, generation: 0 }, settings.keys[0])
  const refreshExpiresIn = Math.floor(Math.min(settings.idleMs, settings.absoluteMs) / 1000)
  return { statements, familyId, refreshToken, refreshExpiresIn }
}

/** Why a refresh token was refused. */
export type RefreshRefusal =
  /** Not the shape of a refresh token: refused before any crypto. */
  | 'malformed'
  /** Not genuine (its MAC fails under every key), or its family is gone or was never written. */
  | 'unknown'
  /** Its idle or absolute limit passed. */
  | 'expired'
  /** Its family was revoked (logout, reuse), or its user's `token_version` moved on or the user is disabled. */
  | 'revoked'
  /** Presented within the reuse interval of its rotation, but its successor was already rotated in turn. */
  | 'superseded'

/** What a refresh came to. */
export type RefreshResult =
  /** A new refresh token (the same for every request racing with the old one) and the user to sign an access token for. */
  | { result: 'rotated'; user: User; familyId: string; refreshToken: string; refreshExpiresIn: number }
  /** A superseded token presented after the reuse interval: its family is revoked and `event` recorded. */
  | { result: 'reused'; familyId: string; event: NewAuditEvent }
  /** The current token, but its family rotated too often: nothing changed; `event` if this refusal was recorded. */
  | { result: 'limited'; retryAfter: number; event: NewAuditEvent | null }
  | { result: 'invalid'; reason: RefreshRefusal }

/**
 * Exchanges a refresh token for its successor, in one D1 batch (`rotateFamily`) and without
 * PBKDF2. Requests racing with one token within the reuse interval all get the same successor;
 * any superseded token presented after it revokes its whole family, and the access tokens
 * issued from it, and records `refresh_token_reused` from `origin`. A family rotates at most
 * `budgetMs / rotationCostMs` times at once, then one per `rotationCostMs`; past that the
 * current token is answered `limited`, and the first such refusal since the family's last
 * rotation is recorded as `refresh_rate_limited`.
 *
 * @example
 * const refreshed = await refresh(db, refreshToken, settings, { origin: originOf(c, null) })
 * if (refreshed.result === 'rotated') return issueToken(refreshed.user, tokens, refreshed.familyId)
 */
export async function refresh(
  db: Database,
  token: string,
  settings: RefreshSettings,
  { origin, now = new Date() }: { origin: EventOrigin; now?: Date },
): Promise<RefreshResult> {
  if (!hasRefreshTokenShape(token)) return { result: 'invalid', reason: 'malformed' }
  // A forgery costs one HMAC and never reaches D1: nobody revokes a family without one of its tokens.
  const claims = await readRefreshToken(token, settings.keys)
  if (claims === null) return { result: 'invalid', reason: 'unknown' }
  const { familyId, generation } = claims
  const reuseEvent = auditEvent('refresh_token_reused', null, origin, now)
  const limitEvent = auditEvent('refresh_rate_limited', null, origin, now)
  const { revoke, limit, outcome } = await batchByName(
    db,
    rotateFamily(db, {
      ...claims,
      now,
      idleMs: settings.idleMs,
      reuseIntervalMs: settings.reuseIntervalMs,
      rotationCostMs: settings.rotationCostMs,
      budgetMs: settings.budgetMs,
      reuseEvent,
      limitEvent,
    }),
  )
  if (revoke.length > 0)
    return { result: 'reused', familyId, event: { ...reuseEvent, subjectUserId: revoke[0].userId } }
  const [family] = outcome
  if (family === undefined) return { result: 'invalid', reason: 'unknown' }
  if (family.refusal !== null) return { result: 'invalid', reason: family.refusal }

  const raceStart = now.getTime() - settings.reuseIntervalMs
  // Rotated by this request, or by one racing with it within the interval: the same successor.
  if (family.generation === generation + 1 && (family.rotatedAt?.getTime() ?? 0) >= raceStart) {
    return {
      result: 'rotated',
      user: family.user,
      familyId,
      refreshToken: await mintRefreshToken({ familyId, generation: generation + 1 }, settings.keys[0]),
      refreshExpiresIn: secondsUntil(family.idleExpiresAt, now),
    }
  }
  // The current token of a live family, not rotated: its budget had no room.
  if (family.generation === generation) {
    const roomAt = family.budgetFullAt.getTime() - settings.budgetMs + settings.rotationCostMs
    return {
      result: 'limited',
      retryAfter: Math.max(1, Math.ceil((roomAt - now.getTime()) / 1000)),
      event: limit.length > 0 ? { ...limitEvent, subjectUserId: family.user.id } : null,
    }
  }
  // Within the interval, after its successor was rotated in turn: answering with that successor
  // would only get it refused as a replay later, revoking the family for a race. Any other older
  // token revoked the family above.
  if (family.generation === generation + 2) return { result: 'invalid', reason: 'superseded' }
  return { result: 'invalid', reason: 'unknown' }
}
