import type { BusEvent } from './bus-event';

/** An event a target could not take, as handed to the dead-letter store. */
export interface DeadLetterInput {
  /** The event exactly as the target received it (same id, so a replay stays idempotent). */
  readonly event: BusEvent;
  /** The rule target that failed; null when unknown. */
  readonly target: string | null;
  /** Why it failed, the last attempt's error. */
  readonly reason: string;
  /** Delivery attempts made, the failed ones. */
  readonly attempts: number;
  readonly failedAt: Date;
}

/** A stored dead letter. */
export interface DeadLetter {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly event: BusEvent;
  readonly target: string | null;
  readonly reason: string;
  readonly attempts: number;
  readonly failedAt: string;
  /** When it was successfully replayed; null while it still waits. */
  readonly replayedAt: string | null;
}

/**
 * Port to the dead-letter store: locally a table, the stand-in for the SQS queue a rule target
 * dead-letters to on AWS. Letters are kept after replay (marked), as an audit trail.
 */
export interface DeadLetterStore {
  add(letter: DeadLetterInput): Promise<DeadLetter>;
  /** Letters oldest first; replayed ones only with `includeReplayed`. */
  list(options: { limit: number; includeReplayed: boolean }): Promise<DeadLetter[]>;
  get(id: string): Promise<DeadLetter | null>;
  /** Marks a letter replayed; false when there is no such letter or it already was. */
  markReplayed(id: string, at: Date): Promise<boolean>;
}

/** Receives what a bus gives up on (a {@link DeadLetterStore}'s `add`, a log...). */
export type DeadLetterSink = (letter: DeadLetterInput) => Promise<unknown>;
