import { createRoute, z } from '@hono/zod-openapi'
import { checkSchema } from '../data/client'
import { errorResponses, jsonResponse } from '../http/openapi'
import { createRouter } from './create-router'

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['health'],
  summary: 'Liveness: D1 answers and has every table and column of the schema',
  responses: {
    200: jsonResponse('The Worker and its database answer, migrated', z.object({ status: z.literal('ok') })),
    ...errorResponses(503),
  },
})

// A D1 failure, or a missing table or column, becomes its 503 in the error handler.
export const healthRouter = createRouter().openapi(health, async (c) => {
  await checkSchema(c.var.db)
  return c.json({ status: 'ok' as const }, 200)
})
