import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../app-env'
import { database } from '../data/client'
import { ApiError } from './errors'

export const BOOKMARK_HEADER = 'X-D1-Bookmark'

/** D1's bookmarks are hex groups joined by `-`; the bound keeps junk short before D1 sees it. */
const BOOKMARK = /^[0-9A-Za-z-]{1,256}$/

/** Methods that only read: their first query may go to a replica. */
const READ_ONLY = new Set(['GET', 'HEAD'])

/**
 * Where this request's session starts. Anything that writes or decides starts on the primary, which is
 * never behind a bookmark; a read starts from the client's bookmark, so it sees the client's own writes,
 * else anywhere, a replica included.
 */
function sessionStart(method: string, bookmark: string | undefined): D1SessionBookmark | D1SessionConstraint {
  if (bookmark !== undefined && !BOOKMARK.test(bookmark)) throw new ApiError('invalid_bookmark')
  if (!READ_ONLY.has(method)) return 'first-primary'
  return bookmark ?? 'first-unconstrained'
}

/** Runs the request's D1 work in one session and answers its bookmark, for the client to send back. */
export const d1Session = createMiddleware<AppEnv>(async (c, next) => {
  const session = c.env.DB.withSession(sessionStart(c.req.method, c.req.header(BOOKMARK_HEADER)))
  c.set('db', database(session))
  await next()
  const bookmark = session.getBookmark()
  if (bookmark !== null) c.header(BOOKMARK_HEADER, bookmark)
})
