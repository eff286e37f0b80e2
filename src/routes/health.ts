import { createRoute, z } from '@hono/zod-openapi'
import { sql } from 'drizzle-orm'
import { loggableMessage } from '../db/d1-faults'
import { serviceUnavailable } from '../http/api-error'
import { errorResponses } from '../http/openapi'
import { createRouter } from './create-router'

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['health'],
  summary: 'Liveness, including a trivial D1 query',
  responses: {
    200: {
      description: 'The Worker and its database answer',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
    ...errorResponses(503),
  },
})

export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await c.var.db.run(sql`select 1`)
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', event: 'health_check_failed', message: loggableMessage(err) }))
    throw serviceUnavailable()
  }
  return c.json({ status: 'ok' as const }, 200)
})
