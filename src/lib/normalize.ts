/** NFKC, then lower case: SQLite's NOCASE folds ASCII only. */
export const normalizeIdentifier = (value: string): string => value.normalize('NFKC').toLowerCase()
