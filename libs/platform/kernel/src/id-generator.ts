import { v7 as uuidv7, validate, version } from 'uuid';

/** Source of new identifiers. */
export interface IdGenerator {
  next(): string;
}

/**
 * UUIDv7 identifiers: time-ordered, so B-tree inserts stay append-mostly and identifiers sort in
 * creation order, which keyset pagination relies on for a stable order.
 */
export const uuidV7Generator: IdGenerator = { next: () => uuidv7() };

/** True for any RFC 9562 UUID string (any version), the format of every Taskflow identifier. */
export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
