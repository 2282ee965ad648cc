import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';

/** Most entries EventBridge accepts in one PutEvents call. */
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** Largest total entry size (256 KB) EventBridge accepts in one PutEvents call. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/** What EventBridge counts for an entry's `Time`, whatever the timestamp. */
const TIME_BYTES = 14;

// UTF-16 length would undercount every non-ASCII character.
const utf8Bytes = (text: string | undefined): number =>
  text === undefined ? 0 : Buffer.byteLength(text, 'utf8');

/**
 * Size of a PutEvents entry as EventBridge counts it against {@link PUT_EVENTS_MAX_BYTES}: 14
 * bytes for `Time` if present, plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each
 * `Resources` string. `EventBusName` and `TraceHeader` do not count.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  // Counted field by field, without collecting them in an array: this runs for every event.
  let size = entry.Time === undefined ? 0 : TIME_BYTES;
  size += utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
  for (const resource of entry.Resources ?? []) size += utf8Bytes(resource);
  return size;
}

/** Limits of one PutEvents call, overridable for tests. */
export interface PutEventsLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Packs items, in order, into the fewest consecutive batches that each hold at most
 * `maxEntries` items and at most `maxBytes` in total. Every item must fit alone (callers set
 * oversize items aside first); an item that does not gets a batch of its own rather than being
 * dropped, so nothing is ever lost here.
 */
export function packBatches<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  limits: PutEventsLimits = { maxEntries: PUT_EVENTS_MAX_ENTRIES, maxBytes: PUT_EVENTS_MAX_BYTES },
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    const full = current.length >= limits.maxEntries || currentBytes + size > limits.maxBytes;
    if (current.length > 0 && full) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
