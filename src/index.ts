import { createApp } from './app'
import { database } from './data/client'
import { cleanUp } from './maintenance/cleanup'
import { settingsOf } from './settings'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The Cron Trigger in wrangler.toml: deletes expired rows and logs the counts. */
  async scheduled(controller, env) {
    const { audit, tokens } = await settingsOf(env)
    const deleted = await cleanUp(database(env.DB.withSession('first-primary')), {
      now: new Date(controller.scheduledTime),
      auditRetentionDays: audit.retentionDays,
      accessTokenTtlSeconds: tokens.ttlSeconds,
    })
    console.log(JSON.stringify({ level: 'info', event: 'cleanup', cron: controller.cron, deleted }))
  },
} satisfies ExportedHandler<Env>
