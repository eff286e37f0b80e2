import { z } from '@hono/zod-openapi'
import { checkSchema } from '../data/client'
import { apiRoute } from '../http/api-route'
import { everyone } from '../http/guards'
import { jsonResponse } from '../http/openapi'
import { createRouter } from './create-router'

const health = apiRoute(everyone, {
  method: 'get',
  path: '/',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Liveness: D1 answers and has every table and column of the schema',
  responses: {
    200: jsonResponse('The Worker and its database answer, migrated', z.object({ status: z.literal('ok') }), {
      status: 'ok',
    }),
  },
})

// A D1 failure, or a missing table or column, becomes its 503 in the error handler.
export const healthRouter = createRouter().openapi(health, async (c) => {
  await checkSchema(c.var.db)
  return c.json({ status: 'ok' as const }, 200)
})
