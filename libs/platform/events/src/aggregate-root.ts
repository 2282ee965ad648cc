import type { PendingEvent } from './event-definitions';

/**
 * What every aggregate shares: the events it raised since it was loaded, handed to the store
 * once (`pullEvents`). Subclasses record an event with `record` when a change is decided.
 */
export abstract class AggregateRoot<E extends PendingEvent> {
  private pending: E[] = [];

  /** @param id - the aggregate's identity, fixed for its life. */
  protected constructor(readonly id: string) {}

  /** Returns the events raised since the last call, and forgets them. */
  pullEvents(): E[] {
    const events = this.pending;
    this.pending = [];
    return events;
  }

  /** Adds an event to those the next `pullEvents` returns. */
  protected record(event: E): void {
    this.pending.push(event);
  }
}
