/**
 * One PutEvents request entry, under its wire names: exactly what `aws events put-events
 * --entries` takes (`Detail` is a JSON string). Every member is optional, as in the API, so
 * that a missing one is reported per entry rather than refused by the type system.
 */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  /** The event's detail as a JSON object, serialised. */
  readonly Detail?: string;
  /** Accepted and ignored locally: there is one bus. */
  readonly EventBusName?: string;
  /** When the event happened (ISO 8601 or a Date); the time of the call when absent. */
  readonly Time?: Date | string;
  readonly Resources?: readonly string[];
}

/** The answer for one entry, at the entry's position: an EventId, or why it was refused. */
export type PutEventsResultEntry =
  { readonly EventId: string } | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** What PutEvents answers: one result per entry, in request order. */
export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: readonly PutEventsResultEntry[];
}

/**
 * A request refused as a whole, as EventBridge refuses it with a `ValidationException` (no
 * entries, more than 10, over 256 KB in total).
 */
export class PutEventsValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationException';
  }
}
