export { receivedInvitationsRouter as invitationsRouter } from './received'
