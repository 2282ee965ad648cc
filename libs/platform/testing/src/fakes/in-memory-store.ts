import {
  type EventDefinition,
  type EventEnvelope,
  type PendingEvent,
} from '@taskflow/platform-events';
import type { WriteContext } from '@taskflow/platform-kernel';
import { InMemoryOutbox, ofType } from './in-memory-outbox';

/**
 * Something another process commits between a command's read and its write: it runs once, just
 * before the fake checks the next write's version (or uniqueness), and may itself use the fake.
 */
export type ConcurrentWrite = () => void | Promise<void>;

/** Options every in-memory repository accepts. */
export interface InMemoryStoreOptions {
  /** The outbox to append events to; share one between fakes to see every event in order. */
  readonly outbox?: InMemoryOutbox;
}

/**
 * What every in-memory repository shares: the events it stored (`storedEvents`), and the
 * interleaving of simulated concurrent writers before its next write.
 */
export abstract class InMemoryStore {
  /** The outbox this store appends to. */
  readonly outbox: InMemoryOutbox;
  private readonly own: EventEnvelope[] = [];
  private readonly pending: ConcurrentWrite[] = [];
  private interleaving = false;

  protected constructor(options: InMemoryStoreOptions) {
    this.outbox = options.outbox ?? new InMemoryOutbox();
  }

  /** The envelopes of the events this store's writes committed, oldest first. */
  get storedEvents(): readonly EventEnvelope[] {
    return this.own;
  }

  /** The stored envelopes of one event type, oldest first (typed as `D`'s when given). */
  storedEventsOf<D extends EventDefinition = EventDefinition>(type: D['type']): EventEnvelope<D>[] {
    return ofType<D>(this.own, type);
  }

  /**
   * Queues `write` to run once, right before the next write of this store is checked against the
   * stored state, as if another process had committed in between. Writes that `write` itself
   * makes through this store run normally and do not consume queued writers.
   */
  interleave(write: ConcurrentWrite): void {
    this.pending.push(write);
  }

  /** Runs the next queued concurrent writer, if any (not when already inside one). */
  protected async runConcurrentWriter(): Promise<void> {
    if (this.interleaving) return;
    const write = this.pending.shift();
    if (write === undefined) return;
    this.interleaving = true;
    try {
      await write();
    } finally {
      this.interleaving = false;
    }
  }

  /** Appends a committed write's events to the outbox and to `storedEvents`. */
  protected record(events: readonly PendingEvent[], context: WriteContext): void {
    this.own.push(...this.outbox.append(events, context));
  }
}
