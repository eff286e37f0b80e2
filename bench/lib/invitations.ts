import { and, count, eq } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/d1'
import { auditEvents, invitations } from '../../src/data/schema'

/**
 * Checks what a run of invitations to `orgId` left: one per 201 answer (`created`), every one
 * bound to an account (`toAccounts`) or none. Then deletes them and their `invitation_created`
 * events, so that every run starts from the same state: the insert counts the organization's
 * pending invitations and the inviter's of the last hour, which would otherwise grow from run
 * to run and tilt each round's ratio towards whichever target ran first.
 *
 * @example
 * await clearInvitations(server.db, orgId, { created: 500, toAccounts: true })
 */
export async function clearInvitations(
  d1: D1Database,
  orgId: string,
  { created, toAccounts }: { created: number; toAccounts: boolean },
): Promise<void> {
  const db = drizzle(d1)
  const inOrg = eq(invitations.orgId, orgId)
  const [left] = await db
    .select({ rows: count(), bound: count(invitations.inviteeUserId) })
    .from(invitations)
    .where(inOrg)
  const bound = toAccounts ? created : 0
  if (left.rows !== created || left.bound !== bound) {
    throw new Error(
      `Invitations: ${left.rows} left (${left.bound} to an account) after ${created} created; expected ${bound} to an account`,
    )
  }
  await db.batch([
    db.delete(invitations).where(inOrg),
    db.delete(auditEvents).where(and(eq(auditEvents.type, 'invitation_created'), eq(auditEvents.orgId, orgId))),
  ])
}
