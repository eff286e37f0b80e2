// Secrets are set with `wrangler secret put` (or in .dev.vars locally), not in wrangler.toml,
// so `wrangler types` does not list them: declared here, for both names of the Env type.
interface Secrets {
  /** Signs and verifies tokens; at least 32 bytes. */
  JWT_SECRET: string
  /** The secret `JWT_SECRET` replaced during a key rotation: its tokens stay valid until they expire. */
  JWT_SECRET_PREVIOUS?: string
  /** HMAC key applied to every password before PBKDF2; at least 32 bytes. */
  PASSWORD_PEPPER: string
  /** The pepper `PASSWORD_PEPPER` replaced: hashes made with it still verify, and are upgraded at login. */
  PASSWORD_PEPPER_PREVIOUS?: string
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
