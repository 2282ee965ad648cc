import type { ClaimedEvent, OutboxAttemptFailure, OutboxStore } from '@taskflow/application';
import { type EventEnvelope, parseEnvelopeJson } from '@taskflow/events';
import type { Database } from './database';

const byId = (a: EventEnvelope, b: EventEnvelope): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
/** The smallest UUIDv7 of a millisecond: ids of events at or after `time` are not below it. */
function firstIdAt(time: Date): string {
  const hex = Math.max(0, time.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

const parse = (rows: readonly { payload: string }[]): EventEnvelope[] =>
  rows.map((r) => JSON.parse(r.payload) as EventEnvelope);

/** The outbox table as the relay and the readers of the event log see it. */
export class TypeormOutboxStore implements OutboxStore {
  constructor(private readonly db: Database) {}

  async claimDue(options: {
    limit: number;
    leaseMs: number;
    owner: string;
    minAgeMs: number;
  }): Promise<ClaimedEvent[]> {
    // SKIP LOCKED lets concurrent relays take disjoint rows without waiting; DSQL lacks it and
    // resolves the same race optimistically (the loser's transaction fails and is retried).
    const skipLocked = this.db.config.dialect === 'postgres' ? ' SKIP LOCKED' : '';
    const { rows } = await this.db.query<{ payload: string; attempts: number }>({
      name: `tf_outbox_claim${skipLocked ? '_skip' : ''}`,
      // The candidates are a MATERIALIZED CTE: as an IN (subquery ... LIMIT) the planner may
      // evaluate the subquery more than once and lease more rows than the limit.
      text: `WITH due AS MATERIALIZED (
               SELECT id FROM outbox_pending
                WHERE abandoned_at IS NULL
                  AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                  AND (lease_until IS NULL OR lease_until < now())
                  AND occurred_at <= now() - $3 * interval '1 millisecond'
                ORDER BY id LIMIT $4
                FOR UPDATE${skipLocked})
             UPDATE outbox_pending p SET lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
               FROM due, outbox o
              WHERE p.id = due.id AND o.id = p.id AND (p.lease_until IS NULL OR p.lease_until < now())
             RETURNING o.payload, p.attempts`,
      values: [options.owner, options.leaseMs, options.minAgeMs, options.limit],
    });
    return rows
      .map((row) => ({
        envelope: parseEnvelopeJson(row.payload),
        attempts: row.attempts,
      }))
      .sort((a, b) => byId(a.envelope, b.envelope));
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query({
      name: 'tf_outbox_published',
      text: 'DELETE FROM outbox_pending WHERE id = ANY($1::uuid[])',
      values: [ids],
    });
  }

  async recordFailures(failures: readonly OutboxAttemptFailure[]): Promise<void> {
    if (failures.length === 0) return;
    await this.db.query({
      name: 'tf_outbox_failed',
      text: `UPDATE outbox_pending p SET attempts = p.attempts + 1, last_error = f.reason,
               next_attempt_at = f.next_attempt_at,
               abandoned_at = CASE WHEN f.next_attempt_at IS NULL THEN now() END,
               lease_until = NULL, lease_owner = NULL
             FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS f(id, reason, next_attempt_at)
             WHERE p.id = f.id`,
      values: [
        failures.map((f) => f.id),
        failures.map((f) => f.reason.slice(0, 1000)),
        failures.map((f) => f.nextAttemptAt?.toISOString() ?? null),
      ],
    });
  }

  async lagMs(now: Date): Promise<number> {
    const { rows } = await this.db.query<{ oldest: Date | null }>({
      name: 'tf_outbox_lag',
      text: 'SELECT min(occurred_at) AS oldest FROM outbox_pending WHERE abandoned_at IS NULL',
      values: [],
    });
    const oldest = rows[0]?.oldest;
    return oldest ? Math.max(0, now.getTime() - oldest.getTime()) : 0;
  }

  async readSince(options: {
    since: Date;
    types: readonly string[] | null;
    afterId: string | null;
    limit: number;
  }): Promise<EventEnvelope[]> {
    const { rows } = await this.db.query<{ payload: string }>({
      name: 'tf_outbox_since',
      // Event ids are UUIDv7 drawn after the event's time: the primary key finds the range.
      text: `SELECT payload FROM outbox
             WHERE id >= $5::uuid AND occurred_at >= $1 AND ($2::text[] IS NULL OR type = ANY($2::text[]))
               AND ($3::uuid IS NULL OR id > $3::uuid)
             ORDER BY id LIMIT $4`,
      values: [
        options.since.toISOString(),
        options.types,
        options.afterId,
        options.limit,
        firstIdAt(options.since),
      ],
    });
    return parse(rows);
  }
}
