import { resolve } from 'node:path'

/** The project root: wrangler finds wrangler.toml and migrations/ from here. */
export const projectRoot = resolve(import.meta.dirname, '../..')
