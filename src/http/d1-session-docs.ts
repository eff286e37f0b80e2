import type { OpenAPIHono } from '@hono/zod-openapi'
import { BOOKMARK_HEADER } from './d1-session'

const BOOKMARK_SCHEMA = { type: 'string', pattern: '^[0-9A-Za-z-]{1,256}$' } as const

/** Declared once under `components`; operations refer to them. */
export function registerBookmarkComponents(registry: OpenAPIHono['openAPIRegistry']) {
  registry.registerComponent('headers', BOOKMARK_HEADER, {
    description:
      "The D1 session's bookmark after this request: send it back as `X-D1-Bookmark` so that the next request sees this one's writes. Absent when the request made no query.",
    required: false,
    schema: BOOKMARK_SCHEMA,
    example: '00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683',
  })
  registry.registerComponent('parameters', 'D1Bookmark', {
    name: BOOKMARK_HEADER,
    in: 'header',
    required: false,
    description:
      'The `X-D1-Bookmark` of an earlier answer, unchanged: this request then reads from a copy of the database at least that new (400 `invalid_bookmark` when malformed)',
    schema: BOOKMARK_SCHEMA,
  })
}

export const BOOKMARK_HEADER_REF = { [BOOKMARK_HEADER]: { $ref: `#/components/headers/${BOOKMARK_HEADER}` } }

export const BOOKMARK_PARAMETER_REF = { $ref: '#/components/parameters/D1Bookmark' }
