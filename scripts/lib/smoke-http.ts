/** What a check saw when it failed: printed as "expected …, saw …". */
export class CheckFailed extends Error {
  override name = 'CheckFailed'

  constructor(
    readonly expected: string,
    readonly seen: string,
  ) {
    super(`expected ${expected}, saw ${seen}`)
  }
}

/** A check passes by returning (with a note, if any), is skipped by returning its reason, and fails by throwing. */
export type Outcome = undefined | { note: string } | { skipped: string }
export type Check = { name: string; run: () => Promise<Outcome> }

// A deployed Worker answers in well under a second; a hung one should fail the check, not the CI job.
const TIMEOUT_MS = 10_000

/** One request with a timeout; `redirect: 'manual'` so that a redirect is seen, not followed. */
export async function request(url: URL, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw new CheckFailed(`an answer from ${url.origin}`, networkProblem(error))
  }
}

/** fetch's own message is only "fetch failed"; the cause says why (ECONNREFUSED, timeout, …). */
export function networkProblem(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const cause = error.cause
  if (cause instanceof Error) return `${error.message}: ${'code' in cause ? cause.code : cause.message}`
  return error.message
}

/**
 * A response in a few words: status, content type and the API's error `code`, never the body,
 * which may hold tokens.
 */
export async function describe(res: Response): Promise<string> {
  const type = res.headers.get('Content-Type') ?? 'no Content-Type'
  let code = ''
  if (type.includes('json')) {
    const body: unknown = await res
      .clone()
      .json()
      .catch(() => undefined)
    if (typeof body === 'object' && body !== null && 'code' in body) code = ` code ${String(body.code)}`
  }
  return `${res.status} (${type})${code}`
}

/** The response's JSON body if its status is `status`, else a failure naming what came instead. */
export async function expectJson(res: Response, status: number, what: string): Promise<Record<string, unknown>> {
  if (res.status !== status) throw new CheckFailed(`${status} ${what}`, await describe(res))
  const body: unknown = await res.json().catch(() => undefined)
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new CheckFailed(`${status} ${what}`, `${res.status} with a body that is not a JSON object`)
  }
  return body as Record<string, unknown>
}
