import { env } from 'cloudflare:workers'
import { hmac } from '@noble/hashes/hmac.js'
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { isCommonPassword } from '../src/auth/common-passwords'
import { commonPasswords } from '../src/auth/common-passwords.data'
import { dummyPasswordHash, hashPassword, newPasswordSchema, verifyPassword } from '../src/auth/passwords'
import { normalizeIdentifier } from '../src/lib/normalize'
import { enteredPasswordSchema } from '../src/routes/auth/schemas'
import { ConfigError, settingsOf } from '../src/settings'
import { client, createUser, DEFAULT_PASSWORD } from './helpers'

const base64ToBytes = (value: string) => Uint8Array.from(atob(value), (c) => c.charCodeAt(0))
const { peppers } = (await settingsOf(env)).passwords
const hashing = (iterations: number) => ({ iterations, pepper: peppers.current })

describe('hashPassword', () => {
  it('writes a self-describing PBKDF2-SHA-256 string with a 16-byte salt and a 32-byte hash', async () => {
    const stored = await hashPassword('correct horse battery staple', hashing(100_000))
    const [, scheme, params, salt, hash] = stored.split('$')
    expect(scheme).toBe('pbkdf2-sha256')
    expect(params).toBe(`i=100000,p=${peppers.current.id}`)
    expect(peppers.current.id).toMatch(/^[0-9a-f]{8}$/)
    expect(base64ToBytes(salt)).toHaveLength(16)
    expect(base64ToBytes(hash)).toHaveLength(32)
  })

  it('salts every hash afresh', async () => {
    expect(await hashPassword('same password', hashing(1000))).not.toBe(
      await hashPassword('same password', hashing(1000)),
    )
  })

  it('agrees with @noble/hashes HMAC and PBKDF2 as an independent reference', async () => {
    const password = 'pässwörd with ünïcode 🔑'
    const stored = await hashPassword(password, hashing(100_000))
    const [, , , salt, hash] = stored.split('$')
    const encoder = new TextEncoder()
    const peppered = hmac(sha256, encoder.encode(env.PASSWORD_PEPPER), encoder.encode(password))
    const reference = pbkdf2(sha256, peppered, base64ToBytes(salt), { c: 100_000, dkLen: 32 })
    expect(base64ToBytes(hash)).toEqual(reference)
    // Pure-JS PBKDF2 at production's 100000 iterations takes seconds on a busy 2-core machine.
  }, 60_000)

  it('defaults to 100000 iterations, the most deployed Workers allow', async () => {
    const { passwords } = await settingsOf({ ...env, PBKDF2_ITERATIONS: undefined } as unknown as Env)
    expect(passwords.hashing.iterations).toBe(100_000)
  })

  it('refuses more than the 100000 iterations deployed Workers allow', async () => {
    await expect(hashPassword('correct horse battery staple', hashing(100_001))).rejects.toThrow(RangeError)
    await expect(settingsOf({ ...env, PBKDF2_ITERATIONS: '100001' })).rejects.toThrow(ConfigError)
  })
})

describe('verifyPassword', () => {
  it('accepts the password and nothing else', async () => {
    const stored = await hashPassword('Correct Horse', hashing(1000))
    expect(await verifyPassword('Correct Horse', stored, peppers)).toBe(true)
    for (const other of ['correct horse', 'Correct Horse ', 'Correct Hors', '']) {
      expect(await verifyPassword(other, stored, peppers)).toBe(false)
    }
  })

  it('reads the iterations from the stored string', async () => {
    const stored = await hashPassword('correct horse', hashing(2000))
    expect(await verifyPassword('correct horse', stored, peppers)).toBe(true)
  })

  it('refuses a string it did not write', async () => {
    await expect(verifyPassword('x', 'plain-text', peppers)).rejects.toThrow('Unrecognised password hash format')
  })

  it('never matches the dummy hash, which has the same parameters', async () => {
    const dummy = dummyPasswordHash({ iterations: 100_000, pepperId: peppers.current.id })
    expect(dummy).toMatch(/^\$pbkdf2-sha256\$i=100000,p=[0-9a-f]{8}\$/)
    expect(await verifyPassword('', dummy, peppers)).toBe(false)
  })
})

describe('password policy', () => {
  // Varied, so that no length is refused as a repetitive string.
  const text = (length: number) => 'lantern quartz meadow forty-two '.repeat(Math.ceil(length / 32)).slice(0, length)
  const emoji = (length: number) => '🔑🌲🎈🐙🚀'.repeat(Math.ceil(length / 5)).slice(0, length * 2)

  it.each([
    ['7 characters', text(7), false],
    ['8 characters', text(8), true],
    ['256 characters', text(256), true],
    ['257 characters', text(257), false],
    ['256 emoji (one character each)', emoji(256), true],
    ['257 emoji', emoji(257), false],
    ['a megabyte', text(1 << 20), false],
  ])('%s', (_name, password, ok) => {
    expect(newPasswordSchema.safeParse(password).success).toBe(ok)
  })
})

const shipped = commonPasswords()
const issues = (password: string) => newPasswordSchema.safeParse(password).error?.issues.map((i) => i.message) ?? []
const LENGTH_MESSAGE = 'Password must be 8 to 256 characters'

describe('common passwords', () => {
  it('ships at least 10000 distinct entries, each normalized and of policy length', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(10_000)
    expect(new Set(shipped).size).toBe(shipped.length)
    const misfits = shipped.filter((e) => [...e].length < 8 || [...e].length > 256 || e !== normalizeIdentifier(e))
    expect(misfits).toEqual([])
  })

  it.each([
    'password1',
    'Password1',
    'PASSWORD1',
    'Ｐａｓｓｗｏｒｄ１', // full-width forms, folded by NFKC
    'qwertyuiop',
    '12345678',
    'iloveyou',
  ])('refuses %s, which is in the shipped list, as too common', (password) => {
    expect(shipped).toContain(normalizeIdentifier(password))
    expect(isCommonPassword(password)).toBe(true)
    expect(issues(password)).toEqual(['Password is too common'])
  })

  it.each([
    'password1!',
    'Password123!!',
    'qwerty123$',
    'iloveyou2024',
    'Ｐａｓｓｗｏｒｄ１！', // full-width forms, folded by NFKC
    'baseball 1!',
  ])('refuses %s, a listed entry with digits or symbols appended, as too common', (password) => {
    expect(shipped).not.toContain(normalizeIdentifier(password))
    expect(isCommonPassword(password)).toBe(true)
    expect(issues(password)).toEqual(['Password is too common'])
  })

  it('refuses a listed entry followed by non-letters up to the length limit, NFKC-lengthened ones too', () => {
    expect(issues(`password${'1!'.repeat(124)}`)).toEqual(['Password is too common'])
    // '⑽' is one code point that NFKC turns into the four of '(10)': 248 of them become 992.
    expect(issues(`password${'⑽'.repeat(248)}`)).toEqual(['Password is too common'])
  })

  it.each([
    'Pa$$w0rd', // substitutions undone: 'password'
    'p@ssword1',
    'P4SSW0RD!',
    'l1verp00l', // 1 and l both stand for i or l: 'liverpool'
    '!password1', // symbols or digits before it
    '2024password',
    '!1qaz2wsx', // before a listed entry that starts with a digit
    '!!12345678',
    'password1!a', // up to 3 characters of any kind after it
    'password1x2',
    'sunshinexyz',
  ])('refuses %s, a listed entry with common substitutions or decorations, as too common', (password) => {
    expect(shipped).not.toContain(normalizeIdentifier(password))
    expect(isCommonPassword(password)).toBe(true)
    expect(issues(password)).toEqual(['Password is too common'])
  })

  it.each([
    'aaaaaaaa',
    'abcdefgh',
    'ABCDEFGHIJ',
    '87654321',
    'zyxwvuts',
    '1234abcd',
    'aaaabbbb',
    'abcabcab',
    'xyxyxyxyxyxy',
    '!!!!!!!!',
    'aaaaaaaa1!', // with digits or symbols after it
    'abcdefgh!xy', // or up to 3 characters of any kind
    `${'z'.repeat(256)}`,
  ])('refuses %s, a repetitive or sequential string (NIST SP 800-63B), as too common', (password) => {
    expect(isCommonPassword(password)).toBe(true)
    expect(issues(password)).toEqual(['Password is too common'])
  })
})

describe('the common-password check', () => {
  it('accepts what follows a listed entry when it is more than 3 characters and not only digits and symbols', () => {
    for (const password of [
      'lantern quartz 2024',
      'zebraglass42!',
      'iloveyouz2024',
      'password1!abcd',
      'sunshine meadow',
    ]) {
      expect(issues(password), password).toEqual([])
    }
  })

  it('accepts passphrases and other strings that merely contain a listed entry or a short run', () => {
    for (const password of [
      'correct horse battery staple',
      'lantern quartz meadow 42',
      'my password is long enough',
      'ci-password-123',
      'abcd efgh ijkl',
      'aaaa bbbb cccc',
      'abc123xyz789',
    ]) {
      expect(issues(password), password).toEqual([])
    }
  })

  it('accepts a random 20-character password and the passwords the other tests set', () => {
    const random = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(15))))
    expect(random).toHaveLength(20)
    const setElsewhere = [DEFAULT_PASSWORD, 'a fine password', 'a brand new password', 'changed password!']
    setElsewhere.push('another password', 'secret-new-pass', 'Exact Pass 123', 'ci-password-123')
    for (const password of [random, ...setElsewhere]) expect(issues(password), password).toEqual([])
  })

  it('checks the length first, and only the length, of a password outside the bounds', () => {
    expect(issues(`password1${'x'.repeat(248)}`)).toEqual([LENGTH_MESSAGE])
    // Seven code points, but NFKC turns the ligature \uFB01 into 'fi': 'garfield' is in the list.
    const ligature = 'gar\uFB01eld'
    expect([...ligature]).toHaveLength(7)
    expect(isCommonPassword(ligature)).toBe(true)
    expect(issues(ligature)).toEqual([LENGTH_MESSAGE])
  })

  it('is not checked at login, so an account with a common password can still sign in', async () => {
    expect(enteredPasswordSchema.safeParse('password1').success).toBe(true)
    const user = await createUser({ password: 'password1' })
    expect(
      (await client.api.auth.login.$post({ json: { username: user.username, password: 'password1' } })).status,
    ).toBe(200)
  })
})
