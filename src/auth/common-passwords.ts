import { normalizeIdentifier } from '../lib/normalize'
import { COMMON_PASSWORDS } from './common-passwords.data'

/** Built on first use and kept for the isolate: a pure value derived from the bundled list. */
let commonPasswords: Set<string> | undefined

/**
 * Whether a password is one of the most common ones (see `common-passwords.data.ts`), compared
 * as `normalizeIdentifier` forms it, so case and Unicode compatibility variants match too.
 *
 * @example
 * isCommonPassword('Password1') // true
 * isCommonPassword('correct horse battery staple') // false
 */
export function isCommonPassword(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS.split('\n'))
  // Constant time per lookup: `has` hashes the candidate and probes one bucket, so the cost depends
  // on the candidate's length (bounded by the policy), not on which entry matches or how many there
  // are; unlike a scan of the list, no early exit tells an observer where a match sits in it.
  return commonPasswords.has(normalizeIdentifier(password))
}
