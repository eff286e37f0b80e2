export const PASSWORD_MIN_LENGTH = 8
export const PASSWORD_MAX_LENGTH = 256

/**
 * Whether a password has a length the policy allows. Counts code points, so an emoji is one
 * character; stops early on absurd inputs. Kept apart from the schema so the script that builds
 * the common-password list can use it without loading that list.
 *
 * @example
 * isPolicyLength('🔑'.repeat(8)) // true
 * isPolicyLength('short') // false
 */
export function isPolicyLength(password: string): boolean {
  if (password.length > PASSWORD_MAX_LENGTH * 2) return false
  const length = [...password].length
  return length >= PASSWORD_MIN_LENGTH && length <= PASSWORD_MAX_LENGTH
}
