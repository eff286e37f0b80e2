// Secrets the Worker uses when they are set; `wrangler types` lists only required ones.
interface Env {
  /** The secret `JWT_SECRET` replaced during a key rotation: its tokens stay valid until they expire. */
  JWT_SECRET_PREVIOUS?: string
}
