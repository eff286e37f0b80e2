import { decode } from 'hono/jwt'
import { BENCH_USER } from './seed'
import type { Server } from './server'
import type { Session } from './targets'

/** Logs in as `BENCH_USER` through the API, as a client would, for a token (and a refresh token) to send. */
export async function logIn(server: Server): Promise<Session> {
  const response = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: BENCH_USER.username, password: BENCH_USER.password }),
  })
  if (!response.ok) throw new Error(`Could not log in: ${response.status} ${await response.text()}`)
  const { token, refreshToken } = (await response.json()) as { token: string; refreshToken: string }
  const { sub, jti } = decode(token).payload
  return { token, refreshToken, sub: String(sub), jti: String(jti) }
}
