import { createRouter } from '../create-router'
import { manageUsersRouter } from './manage'
import { readUsersRouter } from './read'

export const usersRouter = createRouter().route('/', readUsersRouter).route('/', manageUsersRouter)
