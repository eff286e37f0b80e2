import { z } from 'zod'

/**
 * Text with no control characters (Cc), format characters (Cf: bidirectional overrides,
 * zero-width spaces and joiners, BOM), line or paragraph separators, or lone surrogates: what
 * would hide or reorder what a reader sees.
 */
export const VISIBLE_ONLY = /^[^\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]*$/u

export const INVISIBLE_MESSAGE =
  'Must not contain control characters, bidirectional overrides or other invisible format characters'

/**
 * A name people read: at most `max` characters as sent, not blank, nothing invisible
 * (`VISIBLE_ONLY`), then trimmed. Each rule has its own message.
 *
 * @example
 * displayName(100).parse('  Acme ') // 'Acme'
 * displayName(100).parse('Acme\u202e') // ZodError: Must not contain control characters, …
 */
export const displayName = (max: number) =>
  z.string().max(max).regex(/\S/, 'Must not be blank').regex(VISIBLE_ONLY, INVISIBLE_MESSAGE).trim()
