import { createRouter } from '../create-router'
import { loginRouter } from './login'
import { logoutRouter } from './logout'
import { meRouter } from './me'
import { passwordRouter } from './password'
import { refreshRouter } from './refresh'

export const authRouter = createRouter()
  .route('/', loginRouter)
  .route('/', refreshRouter)
  .route('/', meRouter)
  .route('/', passwordRouter)
  .route('/', logoutRouter)
