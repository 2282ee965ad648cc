import type { FakeEventBridge } from '@taskflow/platform-testing';

/**
 * What the fake EventBridge accepted, counted per Taskflow event id (the envelope's `id` inside
 * each entry's Detail). Reads the fake's live list incrementally, so polling it is cheap.
 */
export class BusLedger {
  private readonly counts = new Map<string, number>();
  private readonly details = new Map<string, unknown>();
  private seen = 0;

  constructor(private readonly fake: FakeEventBridge) {}

  /** Deliveries per event id, up to date. */
  deliveries(): ReadonlyMap<string, number> {
    this.catchUp();
    return this.counts;
  }

  /** Entries accepted in all, repeats included. */
  get accepted(): number {
    this.catchUp();
    return this.seen;
  }

  /** Accepted entries beyond the first per event (at-least-once delivery's repeats). */
  get duplicates(): number {
    this.catchUp();
    return this.seen - this.counts.size;
  }

  /** The envelope of an accepted event (its first delivery), parsed from Detail. */
  envelope(id: string): unknown {
    this.catchUp();
    return this.details.get(id);
  }

  /** The ids of `expected` the bus has not accepted yet. */
  missing(expected: Iterable<string>): string[] {
    const deliveries = this.deliveries();
    return [...expected].filter((id) => !deliveries.has(id));
  }

  private catchUp(): void {
    const received = this.fake.received;
    for (; this.seen < received.length; this.seen += 1) {
      const detail = JSON.parse(received[this.seen]?.entry.Detail ?? '{}') as { id?: unknown };
      const id = typeof detail.id === 'string' ? detail.id : '(no id)';
      this.counts.set(id, (this.counts.get(id) ?? 0) + 1);
      if (!this.details.has(id)) this.details.set(id, detail);
    }
  }
}
