import type { Hono } from 'hono'
import type { AppEnv } from '../app-env'
import { ApiError } from './api-error'

/**
 * Answers 405 with an `Allow` header on every known path for the methods it
 * lacks. Call after all routes are registered: it reads the route table.
 */
export function answerMethodNotAllowed(app: Hono<AppEnv>): void {
  const methodsByPath = new Map<string, Set<string>>()
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue
    const methods = methodsByPath.get(path) ?? new Set()
    methods.add(method)
    if (method === 'GET') methods.add('HEAD')
    methodsByPath.set(path, methods)
  }
  for (const [path, methods] of methodsByPath) {
    const allow = [...methods].join(', ')
    app.all(path, () => {
      throw new ApiError(405, 'method_not_allowed', 'Method not allowed', { headers: { Allow: allow } })
    })
  }
}
