import { z } from 'zod'

/** Rejects Cc, Cf (bidi overrides, zero-width characters, BOM), Zl, Zp and lone surrogates: they hide or reorder text. */
export const VISIBLE_ONLY = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]*$/u

export const INVISIBLE_MESSAGE =
  'Must not contain control characters, bidirectional overrides or other invisible format characters'

/** Length is checked as sent, before trimming; each rule has its own message. */
export const displayName = (max: number) =>
  z.string().max(max).regex(/\S/, 'Must not be blank').regex(VISIBLE_ONLY, INVISIBLE_MESSAGE).trim()
