import { z } from '@hono/zod-openapi'
import { passwordSettings } from '../auth/passwords'
import { tokenSettings } from '../auth/tokens'
import {
  auditRetentionDays,
  deviceTokenDays,
  loginThrottleSettings,
  organizationLimits,
  refreshTokenLifetimes,
} from '../config'
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
  summary: 'Health: every setting is valid, and D1 answers with every table and column of the schema',
  responses: {
    200: jsonResponse(
      'The Worker can serve every route: its secrets and vars are valid, its database answers, migrated',
      z.object({ status: z.literal('ok') }),
      { status: 'ok' },
    ),
  },
})

/**
 * Reads every setting as the routes read it, and throws the `ConfigError` of the first one
 * missing or out of range: health is ok only if no route would answer `server_misconfigured`.
 */
async function checkSettings(env: Env): Promise<void> {
  await tokenSettings(env)
  await passwordSettings(env)
  loginThrottleSettings(env)
  refreshTokenLifetimes(env)
  deviceTokenDays(env)
  organizationLimits(env)
  auditRetentionDays(env)
}

// A bad setting, a D1 failure, or a missing table or column becomes its 503 in the error handler.
export const healthRouter = createRouter().openapi(health, async (c) => {
  await checkSettings(c.env)
  await checkSchema(c.var.db)
  return c.json({ status: 'ok' as const }, 200)
})
