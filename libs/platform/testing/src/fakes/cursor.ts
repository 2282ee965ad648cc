import {
  decodeCursor,
  decodeKeyedCursor,
  encodeCursor,
  encodeKeyedCursor,
  isUuid,
} from '@taskflow/platform-kernel';

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
  requireLimit(limit);
  const after = decodeCursor(cursor);
  return pageOfRows(
    after === null ? sorted : sorted.filter((row) => isAfter(row.id, after)),
    limit,
    map,
    (last) => encodeCursor(last.id),
  );
}

/**
 * One keyset page of `sorted`, ordered by a text key (compared by character code, as
 * `COLLATE "C"`), then id: the rows after the cursor, with the adapters' keyed cursors
 * (`encodeKeyedCursor`), which an id cursor is not.
 */
export function keyedPageAfter<R extends { readonly id: string }, T>(
  sorted: readonly R[],
  keyOf: (row: R) => string,
  limit: number,
  cursor: string | null,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  requireLimit(limit);
  const after = decodeKeyedCursor(cursor);
  const rows =
    after === null
      ? sorted
      : sorted.filter((row) => {
          const key = keyOf(row);
          return key > after.key || (key === after.key && row.id > after.id);
        });
  return pageOfRows(rows, limit, map, (last) =>
    encodeKeyedCursor({ key: keyOf(last), id: last.id }),
  );
}

// Postgres rejects a negative or fractional LIMIT the same way: a programmer error.
function requireLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0)
    throw new RangeError(`page limit must be a non-negative integer, got ${limit}`);
}

// The first `limit` of the rows after the cursor, and a cursor after the last when more remain.
function pageOfRows<R, T>(
  after: readonly R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (last: R) => string,
): { items: T[]; nextCursor: string | null } {
  const kept = after.slice(0, limit);
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: after.length > limit && last !== undefined ? cursorOf(last) : null,
  };
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
