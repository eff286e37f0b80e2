import { normalizeIdentifier } from '../lib/normalize'
import { COMMON_PASSWORDS } from './common-passwords.data'

/** Substitutions undone before a comparison; `i` and `l` are one letter, as `1`, `!` and `|` stand for either. */
const UNDONE: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '3': 'e',
  '1': 'i',
  '!': 'i',
  '|': 'i',
  l: 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
}
const SUBSTITUTED = /[@43!|1l0$57+]/g

/** `text` with common substitutions undone: `p@ssw0rd` and `password` have the same skeleton. */
const skeleton = (text: string): string => text.replace(SUBSTITUTED, (char) => UNDONE[char])

/** The listed entries' skeletons, and their shortest and longest lengths in code points. */
type List = { skeletons: Set<string>; shortest: number; longest: number }

/** Built on first use and kept for the isolate: a pure value derived from the bundled list. */
let list: List | undefined

function commonList(): List {
  if (list) return list
  const entries = COMMON_PASSWORDS.split('\n')
  const lengths = entries.map((entry) => [...entry].length)
  list = {
    skeletons: new Set(entries.map(skeleton)),
    shortest: Math.min(...lengths),
    longest: Math.max(...lengths),
  }
  return list
}

const LETTER = /\p{L}/u

/** At most this many characters of any kind may follow a listed entry or a pattern. */
const ANY_SUFFIX = 3

/**
 * Whether `chars` is made of at most two runs of one character repeated or of consecutive
 * characters up or down (`aaaaaaaa`, `abcdefgh`, `87654321`, `1234abcd`), or repeats a unit of
 * up to four characters (`abcabcab`): NIST SP 800-63B's repetitive and sequential strings.
 */
function isPattern(chars: string[]): boolean {
  const codes = chars.map((char) => char.codePointAt(0) as number)
  let runs = 1
  let step: number | undefined
  for (let i = 1; i < codes.length && runs <= 2; i++) {
    const change = codes[i] - codes[i - 1]
    if (step === undefined && Math.abs(change) <= 1) step = change
    else if (change !== step) [runs, step] = [runs + 1, undefined]
  }
  if (runs <= 2) return true
  for (let unit = 1; unit <= 4; unit++) if (codes.every((code, i) => i < unit || code === codes[i - unit])) return true
  return false
}

/**
 * How the digits and symbols around a password lie, in code points: how many lead it, and the
 * earliest a part compared may end: before those at its end, or before its last `ANY_SUFFIX`
 * characters, whichever is earlier. A part may end anywhere from there on.
 */
function decorations(chars: string[]) {
  const isLetter = (i: number) => LETTER.test(chars[i])
  let leading = 0
  while (leading < chars.length && !isLetter(leading)) leading++
  let trailing = 0
  while (trailing < chars.length && !isLetter(chars.length - 1 - trailing)) trailing++
  return { leading, firstEnd: Math.max(0, chars.length - Math.max(trailing, ANY_SUFFIX)) }
}

/**
 * Whether a password is one of the most common ones (see `common-passwords.data.ts`) or a
 * trivial variant of one, or a repetitive or sequential string. Compared as `normalizeIdentifier`
 * forms it (case and Unicode compatibility variants match) and with common substitutions undone
 * (`p@$$w0rd`); a variant adds digits or symbols at the start or end (`!password1`,
 * `password1!`), or up to three characters of any kind at the end (`password1!a`).
 *
 * @example
 * isCommonPassword('Pa$$w0rd') // true
 * isCommonPassword('iloveyou2024') // true: 'iloveyou' is listed
 * isCommonPassword('abcdefgh') // true: sequential
 * isCommonPassword('correct horse battery staple') // false
 */
export function isCommonPassword(password: string): boolean {
  const { skeletons, shortest, longest } = commonList()
  const normalized = normalizeIdentifier(password)
  const chars = [...normalized]
  const { leading, firstEnd } = decorations(chars)
  // Every part of a pattern is one too: the shortest part after all or none of the leading ones decides.
  for (const start of leading > 0 && leading < chars.length ? [0, leading] : [0]) {
    const end = Math.max(firstEnd, start + shortest)
    if (end <= chars.length && isPattern(chars.slice(start, end))) return true
  }
  // Substitutions replace one ASCII character with another: the skeleton's offsets are the password's.
  const skeletal = skeleton(normalized)
  const offsets = [0]
  for (const char of chars) offsets.push(offsets[offsets.length - 1] + char.length)
  // Every cut of the leading digits and symbols, each followed only by parts of a listed entry's
  // length: a few lookups per start, however long NFKC makes a password ('⑽' is '(10)').
  for (let start = 0; start <= Math.min(leading, chars.length - shortest); start++) {
    for (let end = Math.max(firstEnd, start + shortest); end <= Math.min(chars.length, start + longest); end++) {
      // A hash-set lookup: its cost depends on the part's length, not on where a match sits in the list.
      if (skeletons.has(skeletal.slice(offsets[start], offsets[end]))) return true
    }
  }
  return false
}

/** The rule in words: the OpenAPI document's `x-also-refused` and the field's description. */
export const COMMON_PASSWORD_RULE =
  'Not one of the 10,000 most common passwords, compared after NFKC, in lower case and with common ' +
  'substitutions undone (@ or 4 for a, 3 for e, 1, ! or | for i or l, 0 for o, $ or 5 for s, 7 or + for t); ' +
  'nor a repetitive or sequential string (aaaaaaaa, abcabcab, abcdefgh, 87654321, 1234abcd); ' +
  'nor one of these with digits or symbols added at the start or end, or up to 3 characters of any kind at the end.'
