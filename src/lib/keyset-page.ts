/**
 * One page out of `rows` fetched as `limit + 1` in id order: the first `limit`,
 * and the id to continue after when there was one more.
 *
 * @example
 * const { page, nextCursor } = keysetPage(await query.limit(limit + 1).all(), limit)
 */
export function keysetPage<T extends { id: string }>(rows: T[], limit: number) {
  const page = rows.slice(0, limit)
  return { page, nextCursor: rows.length > limit ? page[page.length - 1].id : null }
}
