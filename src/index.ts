import { createApp } from './app'
import { tokenTtlSeconds } from './auth/tokens'
import { auditRetentionDays } from './config'
import { database } from './data/client'
import { cleanUp } from './maintenance/cleanup'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The Cron Trigger in wrangler.toml: deletes expired rows and logs the counts. */
  async scheduled(controller, env) {
    const deleted = await cleanUp(database(env.DB), {
      now: new Date(controller.scheduledTime),
      auditRetentionDays: auditRetentionDays(env),
      accessTokenTtlSeconds: tokenTtlSeconds(env),
    })
    console.log(JSON.stringify({ level: 'info', event: 'cleanup', cron: controller.cron, deleted }))
  },
} satisfies ExportedHandler<Env>
