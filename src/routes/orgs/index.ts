import { createRouter } from '../create-router'
import { orgAuditEventsRouter } from './audit-events'
import { membersRouter } from './members'
import { organizationsRouter } from './organizations'

export const orgsRouter = createRouter()
  .route('/', organizationsRouter)
  .route('/', membersRouter)
  .route('/', orgAuditEventsRouter)
