/** Splits rows fetched with `limit + 1`, in id order, into a page and the id to continue after. */
export function keysetPage<T extends { id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit)
  return { page, nextCursor: rows.length > limit ? page[page.length - 1].id : null }
}
