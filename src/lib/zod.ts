// The Worker's `zod` (wrangler.toml and vitest.config.ts alias it): only the members the app, its tests and
// @hono/zod-openapi use, so `z` as a value no longer drags in zod's 64 locales (English stays: ZodType sets it).
// Imports name zod's files, not 'zod', which the alias would send back here; vitest.config.ts says why not 'zod/v4/core'.
import * as iso from '../../node_modules/zod/v4/classic/iso.js'
import {
  array,
  boolean,
  custom,
  email,
  enum as enum_,
  int,
  literal,
  number,
  object,
  strictObject,
  string,
  ZodType,
} from '../../node_modules/zod/v4/classic/schemas.js'
import * as regexes from '../../node_modules/zod/v4/core/regexes.js'

export const z = {
  array,
  boolean,
  custom,
  email,
  enum: enum_,
  int,
  iso,
  literal,
  number,
  object,
  regexes,
  strictObject,
  string,
  ZodType,
}
