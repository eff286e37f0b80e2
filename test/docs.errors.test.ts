import { describe, expect, it } from 'vitest'
import apiGuide from '../docs/api.md?raw'
import { ERRORS } from '../src/http/errors'

/** The rows of docs/api.md's error table: status, `error`, `code`, then when. */
function documentedErrors(markdown: string) {
  const start = markdown.indexOf('\n## Errors\n')
  const section = markdown.slice(start, markdown.indexOf('\n## ', start + 1))
  return [...section.matchAll(/^\| (\d{3}) +\| `([^`]+)` +\| `([a-z_]+)` +\|/gm)].map(([, status, message, code]) => ({
    code,
    status: Number(status),
    message,
  }))
}

describe("docs/api.md's error table", () => {
  const rows = documentedErrors(apiGuide)

  it('lists every code of ERRORS once, and no other', () => {
    expect(rows.map((row) => row.code).sort()).toEqual(Object.keys(ERRORS).sort())
  })

  it("gives each code ERRORS' status and message", () => {
    const catalogue = Object.entries(ERRORS).map(([code, { status, message }]) => ({ code, status, message }))
    const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code)
    expect(rows.toSorted(byCode)).toEqual(catalogue.toSorted(byCode))
  })
})
