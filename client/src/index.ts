export { type ApiRoutes, type Client, type ClientOptions, createClient } from './create-client'
export { ApiClientError, type ErrorCode, errorFrom } from './errors'
export { memoryStorage, type TokenStorage, type Tokens } from './storage'
