import { authEvent, type EventOrigin } from '../audit/auth-event'
import { refreshTokenLifetimes } from '../config'
import type { Database } from '../data/client'
import { insertFamily, rotateRefreshToken } from '../data/refresh-tokens'
import type { NewAuthEvent, User } from '../data/schema'
import { base64Url } from '../lib/base64url'
import { hasOpaqueTokenShape, newOpaqueToken, opaqueTokenHash } from '../lib/opaque-token'
import { rotatingSecret } from '../lib/rotating-secret'
import { uuidv7 } from '../lib/uuid-v7'

// Refresh tokens are opaque tokens (`lib/opaque-token.ts`). A token's successor is not random but
// derived, an HMAC of the token under a key only the Worker holds: requests racing with one token
// all compute the same successor, so they get the same answer, and still no token is stored anywhere.

export {
  hasOpaqueTokenShape as hasRefreshTokenShape,
  OPAQUE_TOKEN_LENGTH as REFRESH_TOKEN_LENGTH,
  OPAQUE_TOKEN_PATTERN as REFRESH_TOKEN_PATTERN,
} from '../lib/opaque-token'

const HMAC = { name: 'HMAC', hash: 'SHA-256' }
const encoder = new TextEncoder()
const DAY_MS = 86_400_000

/**
 * The successor key: derived from `JWT_SECRET` under a label of its own, so it is never the
 * signing key. A rotation of `JWT_SECRET` changes successors only for tokens rotated after it.
 */
const successorKeyOf = rotatingSecret('JWT_SECRET', async ([secret]) => {
  const root = await crypto.subtle.importKey('raw', secret, HMAC, false, ['sign'])
  const bytes = await crypto.subtle.sign('HMAC', root, encoder.encode('orgstack refresh token successor key'))
  return crypto.subtle.importKey('raw', bytes, HMAC, false, ['sign'])
})

/**
 * What starting and refreshing families needs: the lifetimes from the vars, and the successor
 * key, made once per isolate. Read up front, so a misconfigured Worker fails before any write.
 *
 * @example
 * const settings = await refreshSettings(c.env)
 */
export async function refreshSettings(env: Env) {
  const { idleDays, absoluteDays, reuseIntervalSeconds } = refreshTokenLifetimes(env)
  return {
    successorKey: await successorKeyOf(env.JWT_SECRET, undefined),
    idleMs: idleDays * DAY_MS,
    absoluteMs: absoluteDays * DAY_MS,
    reuseIntervalMs: reuseIntervalSeconds * 1000,
  }
}

export type RefreshSettings = Awaited<ReturnType<typeof refreshSettings>>

const successorOf = async (token: string, key: CryptoKey) =>
  base64Url(await crypto.subtle.sign('HMAC', key, encoder.encode(token)))

/** Seconds from `now` until `until`, rounded down: what `refreshExpiresIn` answers. */
const secondsUntil = (until: Date, now: Date) => Math.floor((until.getTime() - now.getTime()) / 1000)

/**
 * A new family for a login (or a password change), and its first token. `statements` go into
 * the batch that completes the login, before the answer; `familyId` goes into the access token
 * (`issueToken`'s `familyId`). `user.tokenVersion` must be the version that access token carries:
 * if the user's has moved on by the time the batch runs, no family is written.
 *
 * @example
 * const family = await startFamily(db, user, await refreshSettings(c.env))
 * await db.batch([...release, ...family.statements])
 * const { token } = await issueToken(user, tokens, family.familyId)
 * // answer { ...token fields, refreshToken: family.refreshToken, refreshExpiresIn: family.refreshExpiresIn }
 */
export async function startFamily(
  db: Database,
  user: Pick<User, 'id' | 'tokenVersion'>,
  settings: RefreshSettings,
  now = new Date(),
) {
  const refreshToken = newOpaqueToken()
  const familyId = uuidv7(now.getTime())
  const statements = insertFamily(db, {
    id: familyId,
    userId: user.id,
    tokenVersion: user.tokenVersion,
    tokenHash: await opaqueTokenHash(refreshToken),
    now,
    idleMs: settings.idleMs,
    absoluteMs: settings.absoluteMs,
  })
  const refreshExpiresIn = Math.floor(Math.min(settings.idleMs, settings.absoluteMs) / 1000)
  return { statements, familyId, refreshToken, refreshExpiresIn }
}

/** Why a refresh token was refused. */
export type RefreshRefusal =
  /** Not the shape of a refresh token: refused before hashing. */
  | 'malformed'
  /** No such token: never issued, or deleted with its family or user, or after its expiry. */
  | 'unknown'
  /** Its idle or absolute limit passed. */
  | 'expired'
  /** Its family was revoked (logout, reuse), or its user's `token_version` moved on or the user is disabled. */
  | 'revoked'
  /** Presented within the reuse interval, but its successor was already rotated in turn (or derived under an earlier key). */
  | 'superseded'

/** What a refresh came to. */
export type RefreshResult =
  /** A new refresh token (the same for every request racing with the old one) and the user to sign an access token for. */
  | { result: 'rotated'; user: User; familyId: string; refreshToken: string; refreshExpiresIn: number }
  /** A token rotated before the reuse interval, presented again: its family is revoked and `event` recorded. */
  | { result: 'reused'; familyId: string; event: NewAuthEvent }
  | { result: 'invalid'; reason: RefreshRefusal }

/**
 * Exchanges a refresh token for its successor, in one D1 batch (`rotateRefreshToken`) and
 * without PBKDF2. Requests racing with one token within the reuse interval all get the same
 * successor; the token presented again after it revokes its whole family, and the access
 * tokens issued from it, and records `refresh_token_reused` from `origin`.
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
  if (!hasOpaqueTokenShape(token)) return { result: 'invalid', reason: 'malformed' }
  const successor = await successorOf(token, settings.successorKey)
  const [presentedHash, successorHash] = await Promise.all([opaqueTokenHash(token), opaqueTokenHash(successor)])
  const reuseEvent = authEvent('refresh_token_reused', null, origin, now)
  const [, , revoked, , [outcome]] = await db.batch(
    rotateRefreshToken(db, {
      presentedHash,
      successorHash,
      now,
      idleMs: settings.idleMs,
      reuseIntervalMs: settings.reuseIntervalMs,
      reuseEvent,
    }),
  )
  if (revoked.length > 0) {
    const [{ id, userId }] = revoked
    return { result: 'reused', familyId: id, event: { ...reuseEvent, subjectUserId: userId } }
  }
  if (outcome === undefined) return { result: 'invalid', reason: 'unknown' }
  if (outcome.refusal !== null) return { result: 'invalid', reason: outcome.refusal }
  const next = outcome.successor
  // Sent within the interval after its successor was itself rotated: answering with that
  // successor would only get it refused as a replay later, revoking the family for a race.
  if (next === null || next.hash !== successorHash || next.rotatedAt !== null) {
    return { result: 'invalid', reason: 'superseded' }
  }
  return {
    result: 'rotated',
    user: outcome.user,
    familyId: outcome.familyId,
    refreshToken: successor,
    refreshExpiresIn: secondsUntil(next.idleExpiresAt, now),
  }
}
