import { drizzle } from 'drizzle-orm/d1'
import { createApp } from './app'
import { auditRetentionDays } from './config'
import { cleanUp } from './maintenance/cleanup'

const app = createApp()

export default {
  fetch: app.fetch,
  /** The Cron Trigger in wrangler.toml: removes what has expired; one log line says how much. */
  async scheduled(controller, env) {
    const deleted = await cleanUp(drizzle(env.DB), {
      now: new Date(controller.scheduledTime),
      auditRetentionDays: auditRetentionDays(env),
    })
    console.log(JSON.stringify({ level: 'info', event: 'cleanup', cron: controller.cron, deleted }))
  },
} satisfies ExportedHandler<Env>
