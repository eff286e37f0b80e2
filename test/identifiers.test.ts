import { describe, expect, it } from 'vitest'
import { clientAddress } from '../src/lib/client-address'
import { normalizeIdentifier } from '../src/lib/normalize'
import { uuidv7, uuidv7Floor } from '../src/lib/uuid-v7'

describe('normalizeIdentifier', () => {
  it('applies NFKC, then lower case', () => {
    expect(normalizeIdentifier('ＡＬＩＣＥ')).toBe('alice')
    expect(normalizeIdentifier('Alice@Example.COM')).toBe('alice@example.com')
    expect(normalizeIdentifier('ÉLODIE')).toBe('élodie')
    expect(normalizeIdentifier('E\u0301lodie')).toBe('élodie')
  })
})

describe('uuidv7', () => {
  it('is a version 7, variant 10 UUID', () => {
    expect(uuidv7()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it('carries the millisecond timestamp, so ids sort by creation time', () => {
    const t = Date.UTC(2026, 10, 29, 12, 0, 0, 123)
    expect(uuidv7(t).replace(/-/g, '').slice(0, 12)).toBe(t.toString(16).padStart(12, '0'))
    expect(uuidv7(t) < uuidv7(t + 1)).toBe(true)
  })
})

describe('uuidv7Floor', () => {
  it('sorts after every id made before its millisecond and before every id made at or after it', () => {
    const t = Date.UTC(2026, 10, 29, 12, 0, 0, 123)
    const floor = uuidv7Floor(t)
    expect(floor).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7000-8000-0{12}$/)
    for (let i = 0; i < 20; i++) {
      expect(uuidv7(t - 1) < floor).toBe(true)
      expect(uuidv7(t) >= floor).toBe(true)
    }
  })
})

describe('clientAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::7', '2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:0:0:0:7', '2001:db8:1:2::7', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::', '2001:db8::', '2001:db8:0:0::/64'],
    ['::1', '::1', '0:0:0:0::/64'],
    ['::ffff:198.51.100.4', '198.51.100.4', '198.51.100.4'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221', '64:ff9b:0:0::/64'],
  ])('reads %s as %s, counted as %s', (header, ip, network) => {
    expect(clientAddress(header)).toEqual({ ip, network })
  })

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a word', 'unknown'],
    ['an octet over 255', '203.0.113.256'],
    ['three octets', '203.0.113'],
    ['two ::', '2001:db8::1::2'],
    ['nine groups', '2001:db8:1:2:3:4:5:6:7'],
    ['a five-digit group', '12345::1'],
    ['a zone id', '2001:db8::1%eth0'],
    ['a leading space', ' 203.0.113.7'],
    ['10,000 characters', 'x'.repeat(10_000)],
  ])('keeps nothing of %s, which is not an address', (_name, header) => {
    expect(clientAddress(header)).toEqual({ ip: null, network: 'unknown' })
  })
})
