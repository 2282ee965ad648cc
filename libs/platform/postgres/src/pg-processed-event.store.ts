import type { ProcessedEvent, ProcessedEventStore } from '@taskflow/platform-event-routing';
import type { Database } from './database';

interface ProcessedEventRow {
  readonly event_id: string;
  readonly processed_at: Date;
  readonly outcome: string;
}

const fromRow = (row: ProcessedEventRow): ProcessedEvent => ({
  eventId: row.event_id,
  processedAt: row.processed_at.toISOString(),
  outcome: JSON.parse(row.outcome) as unknown,
});

/**
 * The processed-events log in PostgreSQL: one row per inbound event id, written in the
 * transaction of the event's effects.
 */
export class PgProcessedEventStore implements ProcessedEventStore {
  constructor(private readonly db: Database) {}

  async claim(eventId: string, at: Date): Promise<ProcessedEvent | null> {
    // The primary key serialises duplicates: an insert racing an uncommitted one waits for it,
    // then inserts nothing if it committed (or takes over if it rolled back). The outcome is a
    // placeholder that complete() replaces before this transaction can commit.
    const { rowCount } = await this.db.query({
      name: 'tf_processed_claim',
      text: `INSERT INTO processed_events (event_id, processed_at, outcome) VALUES ($1, $2, 'null')
             ON CONFLICT (event_id) DO NOTHING`,
      values: [eventId, at.toISOString()],
    });
    if (rowCount === 1) return null;
    // A separate statement: under READ COMMITTED it sees the row the winner committed while the
    // insert above waited.
    const existing = await this.find(eventId);
    if (existing === null) throw new Error(`processed event ${eventId} vanished while claimed`);
    return existing;
  }

  async complete(eventId: string, outcome: unknown, at: Date): Promise<void> {
    const { rowCount } = await this.db.query({
      name: 'tf_processed_complete',
      text: 'UPDATE processed_events SET outcome = $2, processed_at = $3 WHERE event_id = $1',
      values: [eventId, JSON.stringify(outcome ?? null), at.toISOString()],
    });
    if (rowCount !== 1) throw new Error(`processed event ${eventId} was not claimed`);
  }

  async find(eventId: string): Promise<ProcessedEvent | null> {
    const { rows } = await this.db.query<ProcessedEventRow>({
      name: 'tf_processed_find',
      text: 'SELECT event_id, processed_at, outcome FROM processed_events WHERE event_id = $1',
      values: [eventId],
    });
    const row = rows[0];
    return row === undefined ? null : fromRow(row);
  }
}
