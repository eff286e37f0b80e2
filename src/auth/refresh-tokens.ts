import { auditEvent, type EventOrigin } from '../audit/events'
import { batchByName, type Database } from '../data/client'
import { insertFamily, rotateFamily } from '../data/refresh-tokens'
import type { NewAuditEvent, User } from '../data/schema'
import { uuidv7 } from '../lib/uuid-v7'
import type { RefreshSettings } from '../settings'
import { hasRefreshTokenShape, mintRefreshToken, readRefreshToken } from './refresh-token-codec'

export { hasRefreshTokenShape, REFRESH_TOKEN_LENGTH, REFRESH_TOKEN_PATTERN } from './refresh-token-codec'

const secondsUntil = (until: Date, now: Date) => Math.floor((until.getTime() - now.getTime()) / 1000)

/** `user.tokenVersion` must be the access token's: if the account's moves on first, no family is written. */
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

export type InvalidRefreshReason =
  | 'malformed'
  /** A forgery, or its family is gone or was never written. */
  | 'unknown'
  | 'expired'
  /** Its family was revoked, its user's `token_version` moved on, or the user is disabled. */
  | 'revoked'
  /** Presented within the reuse interval of its rotation, but its successor was already rotated in turn. */
  | 'superseded'

export type RefreshResult =
  | { result: 'rotated'; user: User; familyId: string; refreshToken: string; refreshExpiresIn: number }
  /** A superseded token presented after the reuse interval: its family is revoked. */
  | { result: 'reused'; familyId: string; event: NewAuditEvent }
  /** The current token of a family that rotated too often; `event` only for the first such refusal. */
  | { result: 'limited'; retryAfter: number; event: NewAuditEvent | null }
  | { result: 'invalid'; reason: InvalidRefreshReason }

/** One D1 batch; races, reuse and the rate are in docs/security.md#refresh-tokens. */
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
  const family = outcome.at(0)
  if (family === undefined) return { result: 'invalid', reason: 'unknown' }
  if (family.invalidReason !== null) return { result: 'invalid', reason: family.invalidReason }

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
  // Its successor was rotated in turn: returning it would get it refused as a replay later, revoking
  // the family for a race. Any older token revoked the family above.
  if (family.generation === generation + 2) return { result: 'invalid', reason: 'superseded' }
  return { result: 'invalid', reason: 'unknown' }
}
