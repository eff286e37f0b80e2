type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

const BOOKMARK_HEADER = 'X-D1-Bookmark'

/**
 * `fetch` that sends the newest `X-D1-Bookmark` answered to any of its requests, so that a read made after
 * a write sees it even when a database replica serves the read.
 */
export function keepingBookmark(fetch: Fetch): Fetch {
  let bookmark: string | null = null
  return async (input, init) => {
    // Kept as (input, init), a Request's own headers copied only when `init` has none, as `fetch` reads them.
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
    if (bookmark !== null) headers.set(BOOKMARK_HEADER, bookmark)
    const res = await fetch(input, { ...init, headers })
    const answered = res.headers.get(BOOKMARK_HEADER)
    // D1's bookmarks sort oldest to newest as strings: a slower answer never takes the client back.
    if (answered !== null && (bookmark === null || answered > bookmark)) bookmark = answered
    return res
  }
}
