/**
 * The form in which usernames and emails are compared and kept unique:
 * Unicode NFKC, then lower case. Done here because SQLite's NOCASE folds ASCII only.
 */
export const normalizeIdentifier = (value: string): string => value.normalize('NFKC').toLowerCase()
