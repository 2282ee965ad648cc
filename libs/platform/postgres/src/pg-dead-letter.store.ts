import {
  type BusEvent,
  BusEventSchema,
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterStore,
} from '@taskflow/platform-event-routing';
import { type IdGenerator, isUuid } from '@taskflow/platform-kernel';
import type { Database } from './database';

interface DeadLetterRow {
  readonly id: string;
  readonly source: string;
  readonly detail_type: string;
  readonly target: string | null;
  readonly event: string;
  readonly reason: string;
  readonly attempts: number;
  readonly failed_at: Date;
  readonly replayed_at: Date | null;
}

const COLUMNS = 'id, source, detail_type, target, event, reason, attempts, failed_at, replayed_at';

/**
 * Parses a stored event. It was a bus event when written; checking again keeps a hand-edited
 * or truncated row from reaching a replay as something it is not.
 */
function eventOf(row: DeadLetterRow): BusEvent {
  const parsed = BusEventSchema.safeParse(JSON.parse(row.event));
  if (!parsed.success) {
    throw new Error(`dead letter ${row.id} holds no valid event: ${parsed.error.message}`);
  }
  return parsed.data;
}

const fromRow = (row: DeadLetterRow): DeadLetter => ({
  id: row.id,
  source: row.source,
  detailType: row.detail_type,
  event: eventOf(row),
  target: row.target,
  reason: row.reason,
  attempts: row.attempts,
  failedAt: row.failed_at.toISOString(),
  replayedAt: row.replayed_at?.toISOString() ?? null,
});

/** Dead letters in PostgreSQL: the local stand-in for a rule target's SQS dead-letter queue. */
export class PgDeadLetterStore implements DeadLetterStore {
  constructor(
    private readonly db: Database,
    private readonly ids: IdGenerator,
  ) {}

  async add(letter: DeadLetterInput): Promise<DeadLetter> {
    const { rows } = await this.db.query<DeadLetterRow>({
      name: 'tf_dead_letter_add',
      text: `INSERT INTO dead_letters (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)
             RETURNING ${COLUMNS}`,
      values: [
        this.ids.next(),
        letter.event.source,
        letter.event['detail-type'],
        letter.target,
        JSON.stringify(letter.event),
        letter.reason,
        letter.attempts,
        letter.failedAt.toISOString(),
      ],
    });
    const row = rows[0];
    if (row === undefined) throw new Error('dead letter insert returned no row');
    return fromRow(row);
  }

  async list(options: { limit: number; includeReplayed: boolean }): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<DeadLetterRow>({
      name: 'tf_dead_letter_list',
      text: `SELECT ${COLUMNS} FROM dead_letters WHERE $2 OR replayed_at IS NULL
             ORDER BY failed_at, id LIMIT $1`,
      values: [options.limit, options.includeReplayed],
    });
    return rows.map(fromRow);
  }

  async get(id: string): Promise<DeadLetter | null> {
    // Ids come from the command line: anything but a UUID simply names no letter.
    if (!isUuid(id)) return null;
    const { rows } = await this.db.query<DeadLetterRow>({
      name: 'tf_dead_letter_get',
      text: `SELECT ${COLUMNS} FROM dead_letters WHERE id = $1`,
      values: [id],
    });
    const row = rows[0];
    return row === undefined ? null : fromRow(row);
  }

  async markReplayed(id: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    const { rowCount } = await this.db.query({
      name: 'tf_dead_letter_replayed',
      text: 'UPDATE dead_letters SET replayed_at = $2 WHERE id = $1 AND replayed_at IS NULL',
      values: [id, at.toISOString()],
    });
    return rowCount === 1;
  }
}
