import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'

/**
 * Gives every request an id of the Worker's own making, as `c.var.requestId` and in the
 * `X-Request-Id` answer header. Unlike Hono's `requestId()`, it never adopts the id a client
 * sends: that one could repeat another request's id and so blur whose log lines are whose.
 * The client's id is logged apart (see `clientRequestId`).
 *
 * @example
 * app.use(requestId)
 * app.get('/', (c) => c.text(c.var.requestId))
 */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = crypto.randomUUID()
  c.set('requestId', id)
  c.header('X-Request-Id', id)
  await next()
})

const PLAIN_TOKEN = /^[\w\-=.:]{1,255}$/

/**
 * The `X-Request-Id` the client sent, if it is 1 to 255 characters of `A-Z a-z 0-9 _ - = . :`;
 * otherwise nothing, so a log line can never carry text of the client's choosing.
 *
 * @example
 * clientRequestId('trace.7:42') // 'trace.7:42'
 * clientRequestId('{"level":"error"}') // undefined
 */
export const clientRequestId = (sent: string | undefined): string | undefined =>
  sent !== undefined && PLAIN_TOKEN.test(sent) ? sent : undefined
