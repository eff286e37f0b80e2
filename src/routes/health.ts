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
  summary: 'Health: every setting is valid, and D1 responds with every table and column of the schema',
  responses: {
    200: jsonResponse(
      'The Worker can serve every route: its secrets and vars are valid, its database responds, migrated',
      z.object({ status: z.literal('ok') }),
      { status: 'ok' },
    ),
  },
})

// Every setting was checked before this runs (`loadSettings`); a bad one, a D1 failure, or a
// missing table or column becomes its 503 in the error handler.
export const healthRouter = createRouter().openapi(health, async (c) => {
  await checkSchema(c.var.db)
  return c.json({ status: 'ok' as const }, 200)
})
