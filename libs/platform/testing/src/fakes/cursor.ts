import { decodeCursor, encodeCursor, isUuid } from '@taskflow/platform-kernel';

export { decodeCursor, encodeCursor };

/**
 * One keyset page of `sorted` (already filtered and ordered): the items after the cursor, at most
 * `limit` of them, and a cursor only when a `limit + 1`-th item exists.
 */
export function pageAfter<R extends { readonly id: string }, T>(
  sorted: readonly R[],
  isAfter: (id: string, cursorId: string) => boolean,
  limit: number,
  cursor: string | null,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  if (!Number.isInteger(limit) || limit < 0) {
    // Postgres rejects a negative or fractional LIMIT the same way: a programmer error.
    throw new RangeError(`page limit must be a non-negative integer, got ${limit}`);
  }
  const after = decodeCursor(cursor);
  const rows = (after === null ? sorted : sorted.filter((row) => isAfter(row.id, after))).slice(
    0,
    limit + 1,
  );
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}

/** Throws, as Postgres does for a `uuid` parameter, when a value is not a UUID. */
export function requireUuid(value: string, what: string): void {
  if (!isUuid(value))
    throw new TypeError(`invalid input syntax for type uuid (${what}): "${value}"`);
}

/** Ascending order of ids (UUIDv7: oldest first). */
export function byIdAscending(a: { readonly id: string }, b: { readonly id: string }): number {
  return compareIds(a.id, b.id);
}

/** Compares two UUIDs the way Postgres orders the `uuid` type (by bytes, case-insensitively). */
export function compareIds(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Runs a synchronous read on a later microtask, as a real store answers asynchronously: a
 * thrown error becomes a rejection, and concurrent callers interleave as they would over I/O.
 */
export function later<T>(read: () => T): Promise<T> {
  return Promise.resolve().then(read);
}
