import { z } from '@hono/zod-openapi'
import { ping } from '../data/client'
import { loggableMessage } from '../data/d1-faults'
import { apiRoute } from '../http/api-route'
import { ApiError } from '../http/errors'
import { everyone } from '../http/guards'
import { jsonResponse } from '../http/openapi'
import { createRouter } from './create-router'

const health = apiRoute(everyone, {
  method: 'get',
  path: '/',
  operationId: 'getHealth',
  tags: ['health'],
  summary: 'Liveness, including a trivial D1 query',
  responses: {
    200: jsonResponse('The Worker and its database answer', z.object({ status: z.literal('ok') }), { status: 'ok' }),
  },
})

export const healthRouter = createRouter().openapi(health, async (c) => {
  try {
    await ping(c.var.db)
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', event: 'health_check_failed', message: loggableMessage(err) }))
    throw new ApiError('service_unavailable')
  }
  return c.json({ status: 'ok' as const }, 200)
})
