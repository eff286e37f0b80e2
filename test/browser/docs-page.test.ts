import { mkdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LocalWorker, startLocalWorker } from './local-worker'

/** Where each run leaves its screenshot (git-ignored); the README shows a copy beside this file. */
const SCREENSHOT = join(import.meta.dirname, 'out', 'docs-page.png')

let worker: LocalWorker
let browser: Browser

beforeAll(async () => {
  ;[worker, browser] = await Promise.all([
    startLocalWorker(),
    chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }),
  ])
})

afterAll(async () => {
  await browser?.close()
  await worker?.stop()
})

/**
 * /docs in a fresh browser context, once Swagger UI has drawn the operations; every request
 * the page makes and every console error or warning (CSP violations among them) recorded.
 */
async function openDocs() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  const requests: string[] = []
  const problems: string[] = []
  page.on('request', (request) => requests.push(request.url()))
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`))
  await page.goto(`${worker.origin}/docs`)
  await page
    .locator('.opblock')
    .first()
    .waitFor()
    .catch((error: Error) => {
      throw new Error(`${error.message}\nThe page logged:\n${problems.join('\n')}`)
    })
  return { page, requests, problems }
}

/** Nothing went anywhere but the Worker, and the console stayed clean. */
function expectSelfContained({ requests, problems }: { requests: string[]; problems: string[] }) {
  expect(requests.filter((url) => new URL(url).origin !== worker.origin)).toEqual([])
  expect(problems).toEqual([])
}

/** One operation's block on the page, by method and path, as Swagger UI draws it. */
const operation = (page: Page, method: string, path: string) =>
  page.locator(`.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })

/** Opens an operation, fills its JSON body if given, runs it with "Try it out" and returns the answer shown. */
async function tryItOut(block: Locator, body?: unknown) {
  await block.locator('.opblock-summary-control').click()
  await block.getByRole('button', { name: 'Try it out' }).click()
  if (body !== undefined) await block.locator('textarea.body-param__text').fill(JSON.stringify(body))
  await block.getByRole('button', { name: 'Execute' }).click()
  const answer = block.locator('.live-responses-table .response')
  await answer.waitFor()
  return {
    status: Number(await answer.locator('.response-col_status').textContent()),
    body: JSON.parse((await answer.locator('.highlight-code pre').first().textContent()) ?? ''),
  }
}

describe('/docs in Chromium', () => {
  it('lists every operation of /api/openapi.json, under the authentication guide', async () => {
    const doc: { paths: Record<string, Record<string, unknown>> } = await (
      await fetch(`${worker.origin}/api/openapi.json`)
    ).json()
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    )
    const opened = await openDocs()
    const listed = await opened.page
      .locator('.opblock-summary')
      .evaluateAll((summaries) =>
        summaries.map(
          (summary) =>
            `${summary.querySelector('.opblock-summary-method')?.textContent} ${summary.querySelector('[data-path]')?.getAttribute('data-path')}`,
        ),
      )
    expect(documented.length).toBeGreaterThan(0)
    expect(new Set(listed)).toEqual(new Set(documented))
    await expect.poll(() => opened.page.getByRole('heading', { name: 'Authentication flow' }).isVisible()).toBe(true)
    // The introduction's end and the first operations.
    await opened.page.locator('.scheme-container').evaluate((bar) => bar.scrollIntoView({ block: 'center' }))
    await mkdir(dirname(SCREENSHOT), { recursive: true })
    await opened.page.screenshot({ path: SCREENSHOT })
    expectSelfContained(opened)
  })

  it('logs in, authorises and calls GET /api/auth/me through "Try it out"', async () => {
    const opened = await openDocs()
    const { page } = opened
    const login = await tryItOut(operation(page, 'post', '/api/auth/login'), worker.admin)
    expect(login.status).toBe(200)
    expect(login.body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)

    await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click()
    const dialog = page.locator('.modal-ux')
    // One form per scheme: the token goes in bearerAuth's, an organization API key in apiKeyAuth's.
    const bearerForm = dialog.locator('.auth-container').filter({ hasText: 'bearerAuth' })
    await bearerForm.locator('input').fill(login.body.token)
    await bearerForm.getByRole('button', { name: 'Apply credentials' }).click()
    await bearerForm.getByRole('button', { name: 'Close' }).click()

    const sent = page.waitForRequest((request) => request.url() === `${worker.origin}/api/auth/me`)
    const me = await tryItOut(operation(page, 'get', '/api/auth/me'))
    expect((await sent).headers().authorization).toBe(`Bearer ${login.body.token}`)
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ username: worker.admin.username, role: 'admin' })
    expectSelfContained(opened)
  })

  it("serves the assets folder only through the Worker's routes", async () => {
    for (const path of ['/index.html', '/swagger-initializer.js', '/swagger-ui.css']) {
      expect((await fetch(`${worker.origin}${path}`)).status, path).toBe(404)
    }
  })
})
