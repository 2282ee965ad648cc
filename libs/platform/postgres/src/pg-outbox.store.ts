import type { ClaimedEvent, OutboxAttemptFailure, OutboxStore } from '@taskflow/platform-ports';
import { type SerializedEnvelope } from '@taskflow/platform-events';
import type { Database } from './database';
import { isoText } from './iso-text';
import { isRetryableConflict } from './pg-errors';

/** The smallest UUIDv7 of a millisecond: ids of events at or after `time` are not below it. */
function firstIdAt(time: Date): string {
  const hex = Math.max(0, time.getTime()).toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}

/**
 * The columns of an outbox row a publisher needs, as {@link SerializedEnvelope} fields. The
 * payload is returned as stored, never parsed: it is published as it is. `occurred_at` is
 * formatted as `Date.prototype.toISOString` does (the envelopes' own form; stored values have
 * millisecond precision), which is cheaper to read than a timestamptz the driver parses.
 */
const SERIALIZED_COLUMNS = `o.id, o.type, o.payload AS json, ${isoText('o.occurred_at', '"occurredAt"')}`;

/**
 * Pending rows the relay may take now (`$3`: their minimum age in ms): not given up on, their
 * retry time reached, no live lease. `row` qualifies the columns (`p.`) where a join needs it;
 * the optimistic claim checks it twice, on the read and again on the row it updates.
 */
const dueOn = (row: '' | 'p.'): string =>
  `${row}abandoned_at IS NULL
   AND (${row}next_attempt_at IS NULL OR ${row}next_attempt_at <= now())
   AND (${row}lease_until IS NULL OR ${row}lease_until < now())
   AND ${row}occurred_at <= now() - $3 * interval '1 millisecond'`;

/** The lease a claim takes: `$1` owns it for `$2` ms. */
const LEASE = `lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'`;

/** The claimed rows' events, oldest first (RETURNING has no order). */
const CLAIMED_EVENTS = `SELECT ${SERIALIZED_COLUMNS}, claimed.attempts
  FROM claimed JOIN outbox o ON o.id = claimed.id
 ORDER BY o.id`;

/** The outbox table as the relay and the readers of the event log see it. */
export class PgOutboxStore implements OutboxStore {
  constructor(private readonly db: Database) {}

  async claimDue(options: {
    limit: number;
    leaseMs: number;
    owner: string;
    minAgeMs: number;
  }): Promise<ClaimedEvent[]> {
    const values = [options.owner, options.leaseMs, options.minAgeMs, options.limit];
    if (this.db.config.dialect === 'dsql') return this.claimOptimistically(values);
    const { rows } = await this.db.query<ClaimedEvent>({
      name: 'tf_outbox_claim_skip',
      // SKIP LOCKED lets concurrent relays take disjoint rows without waiting. The candidates
      // are a MATERIALIZED CTE: as an IN (subquery ... LIMIT) the planner may evaluate the
      // subquery more than once and lease more rows than the limit. RETURNING has no order: the
      // outer query restores the oldest-first order.
      text: `WITH due AS MATERIALIZED (
               SELECT id FROM outbox_pending WHERE ${dueOn('')}
                ORDER BY id LIMIT $4
                FOR UPDATE SKIP LOCKED),
             claimed AS (
               UPDATE outbox_pending p SET ${LEASE}
                 FROM due
                WHERE p.id = due.id AND (p.lease_until IS NULL OR p.lease_until < now())
               RETURNING p.id, p.attempts)
             ${CLAIMED_EVENTS}`,
      values,
    });
    return rows;
  }

  /**
   * The claim on Aurora DSQL, which refuses `FOR UPDATE` unless it is an equality on the primary
   * key (and has no SKIP LOCKED): a plain read of the candidates, then a conditional lease
   * update of exactly those ids that re-checks, row by row, that each is still due and unleased.
   * Two relays racing for a row both write it; DSQL lets the first commit and aborts the other
   * with 40001, and the statement runs again on a fresh snapshot where the row's lease is live,
   * so it is skipped. (On PostgreSQL the same statement is safe by row locks: the second UPDATE
   * waits for the first and re-checks the lease on the row as committed.) A relay that still
   * loses after the retries claims nothing this round; the winner is publishing those rows.
   */
  private async claimOptimistically(values: readonly unknown[]): Promise<ClaimedEvent[]> {
    try {
      const { rows } = await this.db.query<ClaimedEvent>({
        name: 'tf_outbox_claim_optimistic',
        text: `WITH due AS MATERIALIZED (
                 SELECT id FROM outbox_pending WHERE ${dueOn('')}
                  ORDER BY id LIMIT $4),
               claimed AS (
                 UPDATE outbox_pending p SET ${LEASE}
                  WHERE p.id IN (SELECT id FROM due) AND ${dueOn('p.')}
                 RETURNING p.id, p.attempts)
               ${CLAIMED_EVENTS}`,
        values,
      });
      return rows;
    } catch (error) {
      if (isRetryableConflict(error)) return [];
      throw error;
    }
  }

  async markPublished(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.query({
      name: 'tf_outbox_published',
      // One comma-joined text instead of an array parameter: the driver would quote and escape
      // each id of an array (hundreds a call), and ids hold no commas (the cast checks them).
      text: "DELETE FROM outbox_pending WHERE id = ANY(string_to_array($1, ',')::uuid[])",
      values: [ids.join(',')],
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
  }): Promise<SerializedEnvelope[]> {
    const { rows } = await this.db.query<SerializedEnvelope>({
      name: 'tf_outbox_since',
      // Event ids are UUIDv7 drawn after the event's time: the primary key finds the range.
      text: `SELECT ${SERIALIZED_COLUMNS} FROM outbox o
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
    return rows;
  }
}
