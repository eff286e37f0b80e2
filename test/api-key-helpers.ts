import type { z } from '@hono/zod-openapi'
import { expect } from 'vitest'
import type { NewApiKeySchema } from '../src/routes/orgs/api-key-schemas'
import { bearer, client } from './helpers'

/** `POST /api/orgs/{orgId}/api-keys` as the holder of `token`: the new key, failing the test unless it answers 201. */
export async function createApiKey(
  orgId: string,
  token: string,
  body: z.input<typeof NewApiKeySchema> = { name: 'CI deploys', role: 'admin' },
) {
  const res = await client.api.orgs[':orgId']['api-keys'].$post({ param: { orgId }, json: body }, bearer(token))
  if (res.status !== 201) expect.fail(`POST api-keys answered ${res.status}: ${await res.text()}`)
  return res.json()
}
