import { normalizeIdentifier } from '../lib/normalize'
import { COMMON_PASSWORDS } from './common-passwords.data'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-length'

/** Built on first use and kept for the isolate: a pure value derived from the bundled list. */
let commonPasswords: Set<string> | undefined

const LETTER = /\p{L}/u

/**
 * Whether a password is one of the most common ones (see `common-passwords.data.ts`), or one of
 * them with digits or symbols appended, compared as `normalizeIdentifier` forms it, so case and
 * Unicode compatibility variants match too. Appended means: the password ends in a run of
 * characters that are not letters (`\p{L}`), and cutting that run at some point leaves a listed entry.
 *
 * @example
 * isCommonPassword('Password1') // true
 * isCommonPassword('password1!') // true: 'password1' is listed
 * isCommonPassword('iloveyou2024') // true: 'iloveyou2' and 'iloveyou' are listed
 * isCommonPassword('correct horse battery staple') // false
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS.split('\n'))
  const normalized = normalizeIdentifier(password)
  // Constant time per lookup: `has` hashes the candidate and probes one bucket, so the cost depends
  // on the candidate's length (bounded by the policy), not on which entry matches or how many there
  // are; unlike a scan of the list, no early exit tells an observer where a match sits in it.
  if (commonPasswords.has(normalized)) return true
  // Cut the trailing non-letters one at a time, looking up what is left: at most one lookup per
  // trailing character, and none for what no entry could be (all are of policy length, and NFKC
  // may lengthen a password: '⑽' becomes '(10)').
  const chars = [...normalized]
  let end = normalized.length
  for (let kept = chars.length - 1; kept >= PASSWORD_MIN_LENGTH && !LETTER.test(chars[kept]); kept--) {
    end -= chars[kept].length
    if (kept <= PASSWORD_MAX_LENGTH && commonPasswords.has(normalized.slice(0, end))) return true
  }
  return false
}
