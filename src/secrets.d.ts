// `npm run cf-typegen` types the secrets .dev.vars.example sets; these two it leaves commented out, as they are set only during a rotation.
interface RotationSecrets {
  JWT_SECRET_PREVIOUS?: string
  PASSWORD_PEPPER_PREVIOUS?: string
}
interface Env extends RotationSecrets {}
declare namespace Cloudflare {
  interface Env extends RotationSecrets {}
}
