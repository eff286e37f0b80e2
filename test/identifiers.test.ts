import { describe, expect, it } from 'vitest'
import { normalizeIdentifier } from '../src/lib/normalize'
import { uuidv7 } from '../src/lib/uuid-v7'

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
