import { type ChildProcess, fork } from 'node:child_process'
import { resolve } from 'node:path'
import { projectRoot } from '../../scripts/lib/project-root'
import { own } from './processes'

/**
 * A body that differs in every request: `{n}` in `template` replaced by the next number, from
 * `first` up to `last`. Numbers carry on from one job to the next of the same template.
 */
export type NumberedBody = { template: string; first: number; last: number }

/** One load run: `connections` clients sending the same request until `requests` answers are in. */
export type LoadJob = {
  url: string
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  connections: number
  requests: number
  /** For refresh chains: one refresh token per connection, each sent once, its successor next. */
  refreshTokens?: string[]
  /** Instead of `body`: a new one each request. */
  numberedBody?: NumberedBody
}

/** What a run measured, from the client's side. */
export type LoadResult = {
  /** Answers received. */
  requests: number
  /** From the start to the last answer. */
  seconds: number
  p50Ms: number
  p99Ms: number
  /** Answers by HTTP status. */
  statuses: Record<string, number>
  /** Connection errors and timeouts. */
  errors: number
}

type Reply = { result: LoadResult; error?: undefined } | { error: string }

/** Runs load jobs in a separate Node process with autocannon, one at a time. */
export class LoadGenerator {
  readonly #child: ChildProcess

  constructor() {
    // tsx's loader, so the child runs TypeScript as this process does.
    this.#child = own(
      fork(resolve(projectRoot, 'bench/load-generator.ts'), { execArgv: ['--import', 'tsx'], cwd: projectRoot }),
    )
  }

  /**
   * Sends `job` and resolves what it measured.
   *
   * @example
   * const { p50Ms, seconds } = await load.run({ url, method: 'GET', headers: {}, connections: 10, requests: 5000 })
   */
  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The load generator exited (code ${code})`))
      this.#child.once('exit', onExit)
      this.#child.once('message', (reply: Reply) => {
        this.#child.off('exit', onExit)
        if (reply.error !== undefined) reject(new Error(`Load generator: ${reply.error}`))
        else resolve(reply.result)
      })
      this.#child.send(job)
    })
  }
}
