/** One page of a keyset-paginated list. `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Bounds of every list's page size. */
export const PAGE_LIMIT = { min: 1, max: 100, default: 50 } as const;

/** Metadata every write carries into the event log. */
export interface WriteContext {
  /** Correlates the command with every event it produced (HTTP request id, inbound event id). */
  readonly correlationId: string | null;
}
