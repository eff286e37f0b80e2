import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import worker from '../../src/index'
import { answerProblems } from './check-answer'
import { requestProblems } from './check-request'
import { DOCUMENT_URL, match } from './document'

/** Paths the Worker serves that the API's document does not describe: the document itself, the page showing it, and `/` pointing to both. */
const undescribed = (path: string) =>
  path === new URL(DOCUMENT_URL).pathname || path === '/' || path === '/docs' || path.startsWith('/docs/')

/**
 * Sends a request through `send` and fails the test if the answer contradicts the OpenAPI
 * document (a status, header or body it does not declare), or if the server and the document
 * disagree on whether the request is valid.
 */
async function checked(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  send: (request: Request) => Promise<Response>,
): Promise<Response> {
  const request = new Request(input, init)
  // The body as sent, for the check of the request: read from a copy, as the Worker reads the original.
  const sent = request.clone().arrayBuffer()
  const response = await send(request)
  const url = new URL(request.url)
  if (undescribed(url.pathname)) return response
  const text = await response.clone().text()
  const found = match(request)
  const problems = answerProblems(request, found, response, text)
  if (found.kind === 'operation')
    problems.push(...requestProblems(request, new Uint8Array(await sent), found, response, text))
  if (problems.length === 0) return response
  throw new Error(
    `${request.method} ${url.pathname}${url.search} answered ${response.status} ${text.slice(0, 300)}\n` +
      `which contradicts the OpenAPI document:\n- ${problems.join('\n- ')}`,
  )
}

/** A request to the Worker as deployed in the tests, through its own `fetch`, checked against the document. */
export const fetchWorker = (input: RequestInfo | URL, init?: RequestInit) =>
  checked(input, init, (request) => exports.default.fetch(request))

/**
 * A request to the same Worker with some bindings replaced, as a deployment might set them,
 * checked against the document; resolves once what it deferred (`waitUntil`) is done.
 */
export const fetchWorkerWith = (overrides: Partial<Env>, input: RequestInfo | URL, init?: RequestInit) =>
  checked(input, init, async (request) => {
    const ctx = createExecutionContext()
    const response = await worker.fetch(request, { ...env, ...overrides }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  })

/** The Worker's Cron Trigger handler, with some bindings replaced: a run answers nothing to check. */
export const runScheduledHandler = (controller: ScheduledController, overrides: Partial<Env> = {}) =>
  worker.scheduled(controller, { ...env, ...overrides })
