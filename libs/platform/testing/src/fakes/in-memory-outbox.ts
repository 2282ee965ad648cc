import {
  type EventDefinition,
  type EventEnvelope,
  type PendingEvent,
  toEnvelope,
} from '@taskflow/platform-events';
import type { IdGenerator, WriteContext } from '@taskflow/platform-kernel';
import { SequentialIdGenerator } from './sequential-id.generator';

/** Node of the id generator an outbox uses by default, so event ids never equal aggregate ids. */
const OUTBOX_ID_NODE = 0xeee;

/**
 * The in-memory counterpart of the `outbox` table: every event every write committed, as the
 * envelope the Postgres adapter stores (`toEnvelope` with a fresh id and the write's correlation
 * id), in commit order. Share one between fakes to assert the global order of events.
 */
export class InMemoryOutbox {
  private readonly rows: EventEnvelope[] = [];

  constructor(
    private readonly ids: IdGenerator = new SequentialIdGenerator({ node: OUTBOX_ID_NODE }),
  ) {}

  /** Every stored envelope, oldest first. */
  get envelopes(): readonly EventEnvelope[] {
    return this.rows;
  }

  /** The stored envelopes of one event type, oldest first (typed as `D`'s when given). */
  envelopesOf<D extends EventDefinition = EventDefinition>(type: D['type']): EventEnvelope<D>[] {
    return ofType(this.rows, type);
  }

  /** Stores the envelopes of a committed write's events and returns them. */
  append(events: readonly PendingEvent[], context: WriteContext): EventEnvelope[] {
    const stored = events.map((event) =>
      structuredClone(toEnvelope(event, this.ids.next(), context.correlationId)),
    );
    this.rows.push(...stored);
    return stored;
  }
}

/** The envelopes of one type out of a list (typed as `D`'s when given). */
export function ofType<D extends EventDefinition = EventDefinition>(
  envelopes: readonly EventEnvelope[],
  type: D['type'],
): EventEnvelope<D>[] {
  return envelopes.filter((envelope) => envelope.type === type) as EventEnvelope<D>[];
}
