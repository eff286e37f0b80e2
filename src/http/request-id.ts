import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'

/** Unlike Hono's `requestId()`, never adopts the client's id, which could repeat another request's. */
export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const id = crypto.randomUUID()
  c.set('requestId', id)
  c.header('X-Request-Id', id)
  await next()
})

const PLAIN_TOKEN = /^[\w\-=.:]{1,255}$/

/** The client's `X-Request-Id` only if it is a plain token, so logs never carry text of the client's choosing. */
export const clientRequestId = (sent: string | undefined): string | undefined =>
  sent !== undefined && PLAIN_TOKEN.test(sent) ? sent : undefined
