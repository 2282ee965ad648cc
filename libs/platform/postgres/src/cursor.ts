import {
  decodeCursor,
  decodeKeyedCursor,
  encodeCursor,
  encodeKeyedCursor,
} from '@taskflow/platform-kernel';

export { decodeCursor, decodeKeyedCursor, encodeCursor, encodeKeyedCursor };

/**
 * Cuts a `limit + 1` fetch into a page: the extra row only tells that another page exists.
 * `cursorOf` names the position after a row (its id, unless the list is ordered by more).
 */
export function pageOf<R extends { id: string }, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (row: R) => string = (row) => encodeCursor(row.id),
): { items: T[]; nextCursor: string | null } {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last ? cursorOf(last) : null };
}
