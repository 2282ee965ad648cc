import { decodeCursor, encodeCursor } from '@taskflow/platform-kernel';

export { decodeCursor, encodeCursor };

/** Cuts a `limit + 1` fetch into a page: the extra row only tells that another page exists. */
export function pageOf<R extends { id: string }, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}
