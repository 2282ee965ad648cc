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
