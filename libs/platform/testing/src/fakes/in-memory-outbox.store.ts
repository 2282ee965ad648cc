import type {
  ClaimedEvent,
  EventPublisher,
  OutboxAttemptFailure,
  OutboxStore,
  PublishOutcome,
} from '@taskflow/platform-ports';
import {
  type EventEnvelope,
  type SerializedEnvelope,
  serializeEnvelope,
} from '@taskflow/platform-events';
import type { Clock } from '@taskflow/platform-kernel';

interface Row {
  envelope: EventEnvelope;
  publishedAt: Date | null;
  attempts: number;
  nextAttemptAt: Date | null;
  leaseUntil: Date | null;
  leaseOwner: string | null;
  lastError: string | null;
  abandoned: boolean;
}

/**
 * The in-memory counterpart of the outbox's publication state (PgOutboxStore): leases,
 * attempts, backoff and abandonment, on the clock the test controls.
 */
export class InMemoryOutboxStore implements OutboxStore {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly clock: Clock) {}

  /** Adds committed events, as a command's statement would. */
  add(...envelopes: EventEnvelope[]): void {
    for (const envelope of envelopes) {
      this.rows.set(envelope.id, {
        envelope,
        publishedAt: null,
        attempts: 0,
        nextAttemptAt: null,
        leaseUntil: null,
        leaseOwner: null,
        lastError: null,
        abandoned: false,
      });
    }
  }

  /** The publication state of one event, for assertions. */
  stateOf(id: string): Readonly<Row> | undefined {
    return this.rows.get(id);
  }

  /** Ids of events not yet published (abandoned ones included). */
  get unpublished(): string[] {
    return [...this.rows.values()].filter((r) => r.publishedAt === null).map((r) => r.envelope.id);
  }

  claimDue(options: {
    limit: number;
    leaseMs: number;
    owner: string;
    minAgeMs: number;
  }): Promise<ClaimedEvent[]> {
    const now = this.clock.now().getTime();
    const due = [...this.rows.values()]
      .filter(
        (r) =>
          r.publishedAt === null &&
          !r.abandoned &&
          (r.nextAttemptAt === null || r.nextAttemptAt.getTime() <= now) &&
          (r.leaseUntil === null || r.leaseUntil.getTime() < now) &&
          Date.parse(r.envelope.occurredAt) <= now - options.minAgeMs,
      )
      .sort((a, b) => (a.envelope.id < b.envelope.id ? -1 : 1))
      .slice(0, options.limit);
    for (const row of due) {
      row.leaseUntil = new Date(now + options.leaseMs);
      row.leaseOwner = options.owner;
    }
    return Promise.resolve(
      due.map((r) => ({ ...serializeEnvelope(r.envelope), attempts: r.attempts })),
    );
  }

  markPublished(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const row = this.rows.get(id);
      if (row && row.publishedAt === null) {
        row.publishedAt = this.clock.now();
        row.leaseUntil = null;
        row.leaseOwner = null;
        row.lastError = null;
      }
    }
    return Promise.resolve();
  }

  recordFailures(failures: readonly OutboxAttemptFailure[]): Promise<void> {
    for (const failure of failures) {
      const row = this.rows.get(failure.id);
      if (!row || row.publishedAt !== null) continue;
      row.attempts += 1;
      row.lastError = failure.reason;
      row.nextAttemptAt = failure.nextAttemptAt;
      row.abandoned = failure.nextAttemptAt === null;
      row.leaseUntil = null;
      row.leaseOwner = null;
    }
    return Promise.resolve();
  }

  lagMs(now: Date): Promise<number> {
    const pending = [...this.rows.values()].filter((r) => r.publishedAt === null && !r.abandoned);
    const oldest = Math.min(...pending.map((r) => Date.parse(r.envelope.occurredAt)));
    return Promise.resolve(pending.length === 0 ? 0 : Math.max(0, now.getTime() - oldest));
  }

  readSince(options: {
    since: Date;
    types: readonly string[] | null;
    afterId: string | null;
    limit: number;
  }): Promise<SerializedEnvelope[]> {
    return Promise.resolve(
      this.ordered()
        .filter(
          (e) =>
            Date.parse(e.occurredAt) >= options.since.getTime() &&
            (options.types === null || options.types.includes(e.type)) &&
            (options.afterId === null || e.id > options.afterId),
        )
        .slice(0, options.limit)
        .map(serializeEnvelope),
    );
  }

  private ordered(): EventEnvelope[] {
    return [...this.rows.values()].map((r) => r.envelope).sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}

/** A publisher whose answers a test scripts: it records every batch and fails what it is told. */
export class ScriptedPublisher implements EventPublisher {
  /** Every batch of event ids it was asked to publish, in order. */
  readonly batches: string[][] = [];
  /** Ids published successfully, in order (repeats show double publication). */
  readonly delivered: string[] = [];
  /** Decides per event: null publishes it; otherwise the failure to report. */
  failWith: (event: SerializedEnvelope) => { reason: string; retryable: boolean } | null = () =>
    null;
  /** When set, the whole call throws this (the bus is unreachable). */
  throwError: Error | null = null;

  publish(events: readonly SerializedEnvelope[]): Promise<PublishOutcome> {
    this.batches.push(events.map((e) => e.id));
    if (this.throwError) return Promise.reject(this.throwError);
    const published: string[] = [];
    const failed: { id: string; reason: string; retryable: boolean }[] = [];
    for (const event of events) {
      const failure = this.failWith(event);
      if (failure) failed.push({ id: event.id, ...failure });
      else published.push(event.id);
    }
    this.delivered.push(...published);
    return Promise.resolve({ published, failed });
  }
}
