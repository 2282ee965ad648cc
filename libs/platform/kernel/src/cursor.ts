import { ValidationError } from './domain-error';
import { isUuid } from './id-generator';

/**
 * The opaque keyset cursor of every list: the last id of a page, base64url-encoded. One
 * definition for the store and its in-memory fakes, so both issue and accept the same cursors.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** The id inside a cursor; a `ValidationError` `INVALID_CURSOR` on `cursor` for anything we did not issue. */
export function decodeCursor(cursor: string | null): string | null {
  if (cursor === null) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isUuid(id))
    throw ValidationError.field('INVALID_CURSOR', 'cursor', 'is not a cursor this API issued');
  return id;
}

/** The position a {@link encodeKeyedCursor} cursor names: after the row with this sort key and id. */
export interface KeyedPosition {
  readonly key: string;
  readonly id: string;
}

/**
 * The cursor of a list ordered by a text key, then id (a board column by rank): the last row's
 * key and id as base64url JSON. Never mistaken for an {@link encodeCursor} one: each decoder
 * refuses the other's.
 */
export function encodeKeyedCursor(position: KeyedPosition): string {
  return Buffer.from(JSON.stringify([position.key, position.id]), 'utf8').toString('base64url');
}

/** The position inside a keyed cursor; a `ValidationError` `INVALID_CURSOR` on `cursor` for anything we did not issue. */
export function decodeKeyedCursor(cursor: string | null): KeyedPosition | null {
  if (cursor === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !isUuid(parsed[1])
  )
    throw ValidationError.field('INVALID_CURSOR', 'cursor', 'is not a cursor this API issued');
  return { key: parsed[0], id: parsed[1] };
}
