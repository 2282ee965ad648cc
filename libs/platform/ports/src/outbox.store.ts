import { type SerializedEnvelope } from '@taskflow/platform-events';

/** The outcome of one publish attempt, as recorded on an outbox row. */
export interface OutboxAttemptFailure {
  readonly id: string;
  readonly reason: string;
  /** Null: never retry (the event cannot be published as it is); the row is set aside. */
  readonly nextAttemptAt: Date | null;
}

/**
 * An event leased for publication, as stored (its envelope's JSON text is published as it is,
 * never parsed), with how many attempts already failed.
 */
export interface ClaimedEvent extends SerializedEnvelope {
  readonly attempts: number;
}

/** Port to the outbox table: the durable log of every event, and its publication state. */
export interface OutboxStore {
  /**
   * Leases up to `limit` unpublished events that are due (never tried, or their backoff is over)
   * and at least `minAgeMs` old, oldest first, to `owner` for `leaseMs`. Rows leased by another
   * live relay are skipped, so concurrent relays do not publish the same event in the normal
   * case; an expired lease (a crashed relay) makes its rows claimable again.
   */
  claimDue(options: {
    limit: number;
    leaseMs: number;
    owner: string;
    minAgeMs: number;
  }): Promise<ClaimedEvent[]>;
  /** Marks events published (idempotent). */
  markPublished(ids: readonly string[]): Promise<void>;
  /** Records failed attempts and releases their lease. */
  recordFailures(failures: readonly OutboxAttemptFailure[]): Promise<void>;
  /** Age in milliseconds of the oldest event not yet published (0 when none): the relay's lag. */
  lagMs(now: Date): Promise<number>;
  /**
   * Events that occurred at or after `since`, optionally of some types, in log order, as stored:
   * for replay, which publishes them again.
   */
  readSince(options: {
    since: Date;
    types: readonly string[] | null;
    afterId: string | null;
    limit: number;
  }): Promise<SerializedEnvelope[]>;
}
