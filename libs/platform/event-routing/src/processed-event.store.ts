/** The record that an inbound event was processed, and what it did. */
export interface ProcessedEvent {
  readonly eventId: string;
  readonly processedAt: string;
  /** What processing achieved (JSON), answered again to redeliveries. */
  readonly outcome: unknown;
}

/**
 * Port to the processed-events log that makes an event consumer idempotent: the claim is
 * written in the same transaction as the event's effects, so the effects and the record that
 * they happened commit together or not at all (exactly-once effects over at-least-once
 * delivery). Methods join the ambient transaction (`TransactionRunner.run`).
 */
export interface ProcessedEventStore {
  /**
   * Claims the event in the current transaction. Returns null when this transaction now owns it
   * (the first delivery), or the record of the transaction that already processed it. A
   * concurrent claim of the same id waits for that transaction to end (PostgreSQL), then sees
   * its record, or takes the claim over if it rolled back.
   */
  claim(eventId: string, at: Date): Promise<ProcessedEvent | null>;
  /** Records the outcome of an event this transaction claimed. */
  complete(eventId: string, outcome: unknown, at: Date): Promise<void>;
  find(eventId: string): Promise<ProcessedEvent | null>;
}
