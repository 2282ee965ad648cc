import { ValidationError } from '@taskflow/platform-kernel';

/**
 * A position in a project's event stream: the writing transaction's id, then the event id.
 * Streams deliver an event only once every older writing transaction has finished, so this
 * order never has an event appear behind a position already delivered.
 */
export interface StreamCursor {
  readonly tx: bigint;
  readonly id: string;
}

/** Before every event: the position of a stream that has delivered nothing yet. */
export const STREAM_START: StreamCursor = { tx: 0n, id: '00000000-0000-0000-0000-000000000000' };

/** Transaction ids are PostgreSQL int8 (xid8): a larger number was never issued. */
const MAX_TX = 9_223_372_036_854_775_807n;

const CURSOR = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The SSE event id of a cursor. */
export function formatCursor(cursor: StreamCursor): string {
  return `${cursor.tx.toString()}.${cursor.id}`;
}

/** Parses a `Last-Event-ID`; a `ValidationError` naming the header for anything we did not issue. */
export function parseCursor(text: string): StreamCursor {
  const match = CURSOR.exec(text.trim().toLowerCase());
  if (!match?.[1] || !match[2] || BigInt(match[1]) > MAX_TX) {
    throw ValidationError.field(
      'INVALID_LAST_EVENT_ID',
      'Last-Event-ID',
      'is not an event id this stream sent',
    );
  }
  return { tx: BigInt(match[1]), id: match[2] };
}

/** Negative, zero or positive as `a` is before, at or after `b`. */
export function compareCursors(a: StreamCursor, b: StreamCursor): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
