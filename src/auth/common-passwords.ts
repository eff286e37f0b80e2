import { normalizeIdentifier } from '../lib/normalize'
import { commonPasswords } from './common-passwords.data'

/** `i` and `l` map to one letter, since `1`, `!` and `|` stand for either. */
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

/** `p@ssw0rd` and `password` have the same skeleton. */
const skeleton = (text: string): string => text.replace(SUBSTITUTED, (char) => UNDONE[char])

type List = { skeletons: Set<string>; shortest: number; longest: number }

let list: List | undefined

function commonList(): List {
  if (list) return list
  const entries = commonPasswords()
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

/** NIST SP 800-63B's repetitive and sequential strings: `aaaaaaaa`, `87654321`, `1234abcd`, `abcabcab`. */
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

/** In code points: the leading non-letters, and the earliest a compared part may end. */
function decorations(chars: string[]) {
  const isLetter = (i: number) => LETTER.test(chars[i])
  let leading = 0
  while (leading < chars.length && !isLetter(leading)) leading++
  let trailing = 0
  while (trailing < chars.length && !isLetter(chars.length - 1 - trailing)) trailing++
  return { leading, firstEnd: Math.max(0, chars.length - Math.max(trailing, ANY_SUFFIX)) }
}

/** Whether `password` breaks `COMMON_PASSWORD_RULE`. */
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
  // Only parts of a listed entry's length: a few lookups per start, however long NFKC makes it ('⑽' is '(10)').
  for (let start = 0; start <= Math.min(leading, chars.length - shortest); start++) {
    for (let end = Math.max(firstEnd, start + shortest); end <= Math.min(chars.length, start + longest); end++) {
      if (skeletons.has(skeletal.slice(offsets[start], offsets[end]))) return true
    }
  }
  return false
}

/** The rule in words, for the OpenAPI document's `x-also-refused` and the field's description. */
export const COMMON_PASSWORD_RULE =
  'Not one of the 10,000 most common passwords, compared after NFKC, in lower case and with common ' +
  'substitutions undone (@ or 4 for a, 3 for e, 1, ! or | for i or l, 0 for o, $ or 5 for s, 7 or + for t); ' +
  'nor a repetitive or sequential string (aaaaaaaa, abcabcab, abcdefgh, 87654321, 1234abcd); ' +
  'nor one of these with digits or symbols added at the start or end, or up to 3 characters of any kind at the end.'
