// Secrets are not in wrangler.toml, so `wrangler types` does not list them: declared for both Env names.
interface Secrets {
  JWT_SECRET: string
  JWT_SECRET_PREVIOUS?: string
  PASSWORD_PEPPER: string
  PASSWORD_PEPPER_PREVIOUS?: string
}
interface Env extends Secrets {}
declare namespace Cloudflare {
  interface Env extends Secrets {}
}
