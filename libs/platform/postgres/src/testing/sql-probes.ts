import type { Database } from '../database';

/** Counts rows with a raw query (`SELECT count(*) AS n ...`), outside any store or repository. */
export async function count(
  db: Database,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}

/** One stored outbox row. */
export interface OutboxRow {
  readonly id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly aggregate_id: string;
  readonly aggregate_version: number;
  readonly project_id: string | null;
  readonly actor_id: string | null;
  readonly correlation_id: string | null;
  readonly occurred_at: Date;
  readonly payload: string;
}

/** Outbox rows of one aggregate, in the order they were written. */
export async function outboxOf(db: Database, aggregateId: string): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>({
    text: 'SELECT * FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version, id',
    values: [aggregateId],
  });
  return rows;
}

/** Sessions of the current database that wait for a lock held by another transaction. */
export async function sessionsWaitingForLocks(db: Database): Promise<number> {
  return count(
    db,
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
}
