export {
  type ApiKeyClient,
  type ApiKeyClientOptions,
  type ApiRoutes,
  type Client,
  type ClientOptions,
  createClient,
} from './create-client.js'
export { ApiClientError, type ErrorCode, errorFrom } from './errors.js'
export { memoryStorage, type TokenStorage, type Tokens } from './storage.js'
