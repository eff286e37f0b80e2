import type { findAccountInOrg } from '../data/organizations'
import type { findAccount } from '../data/users'

/** Whom an entry is about: the caller, and for an organization read, the organization and the member named in the path. */
export type AccountScope = { userId: string; orgId?: string; memberId?: string }

type Entry<V> = { value: V; storedAt: number; scope: AccountScope }

/** At most `maxEntries` reads, least recently used evicted first; an entry older than the lifetime asked for is a miss. */
export class AccountCache<V> {
  readonly #entries = new Map<string, Entry<V>>()

  constructor(
    readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.#entries.size
  }

  get(key: string, lifetimeMs: number): V | undefined {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined
    this.#entries.delete(key)
    if (this.now() - entry.storedAt >= lifetimeMs) return undefined
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.#entries.set(key, entry)
    return entry.value
  }

  set(key: string, scope: AccountScope, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, { value, storedAt: this.now(), scope })
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break
      this.#entries.delete(oldest)
    }
  }

  /** Drops every entry about `userId` (as caller or named member) or about `orgId`. */
  forget({ userId, orgId }: { userId?: string | null; orgId?: string | null }): void {
    for (const [key, { scope }] of this.#entries) {
      const aboutUser = userId != null && (scope.userId === userId || scope.memberId === userId)
      if (aboutUser || (orgId != null && scope.orgId === orgId)) this.#entries.delete(key)
    }
  }
}

/** What an access token asks the guard to read; revoking its `jti` or `fam` never touches another token's key. */
export type AccountKey = AccountScope & { jti: string; familyId?: string }

export const accountKey = (kind: 'account' | 'org', key: AccountKey): string =>
  JSON.stringify([kind, key.userId, key.jti, key.familyId ?? null, key.orgId ?? null, key.memberId ?? null])

export const ACCOUNT_CACHE_ENTRIES = 1000

type Account = NonNullable<Awaited<ReturnType<typeof findAccount>>>
type AccountInOrg = NonNullable<Awaited<ReturnType<typeof findAccountInOrg>>>

/** This isolate's: what `requireAuth` and `inOrg` read, each kind bounded on its own. */
export const accountCaches = {
  accounts: new AccountCache<Account>(ACCOUNT_CACHE_ENTRIES, () => Date.now()),
  inOrg: new AccountCache<AccountInOrg>(ACCOUNT_CACHE_ENTRIES, () => Date.now()),
}

/** After a change about a user or organization, so that this isolate's next request reads it from D1. */
export function forgetAccounts(about: { userId?: string | null; orgId?: string | null }): void {
  accountCaches.accounts.forget(about)
  accountCaches.inOrg.forget(about)
}
