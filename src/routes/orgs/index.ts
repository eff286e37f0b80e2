import { orgAuditEventsRouter } from '../audit/org-events'
import { createRouter } from '../create-router'
import { apiKeysRouter } from './api-keys'
import { orgInvitationsRouter } from './invitations'
import { membersRouter } from './members'
import { organizationsRouter } from './organizations'

export const orgsRouter = createRouter()
  .route('/', organizationsRouter)
  .route('/', membersRouter)
  .route('/', orgInvitationsRouter)
  .route('/', orgAuditEventsRouter)
  .route('/', apiKeysRouter)
