import { createHash } from 'node:crypto';
import {
  envelopeJson,
  type EventEnvelope,
  type PendingEvent,
  toEnvelope,
} from '@taskflow/platform-events';
import type { IdGenerator, WriteContext } from '@taskflow/platform-kernel';
import type { Statement } from './database';

/** One column of a multi-row insert, with the SQL type its array parameter is cast to. */
export interface Column {
  readonly name: string;
  readonly type: 'uuid' | 'text' | 'int' | 'timestamptz';
}

const statementNames = new Map<string, string>();

/** A stable prepared-statement name for a statement text (same text, same name). */
function nameOf(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `tf_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Builds one data-modifying statement out of several writes (a chain of CTEs), so that a
 * command's aggregate row, audit rows and outbox rows commit atomically in one round trip.
 * Multi-row inserts bind one array per column (`unnest`), so the text does not depend on the
 * row count and can be prepared once per connection.
 *
 * With a `guard` (a CTE that returns the row it updated), every later write is conditional on
 * that row having matched: a lost optimistic-concurrency race writes nothing at all.
 */
export class WriteBatch {
  private readonly values: unknown[] = [];
  private readonly parts: string[] = [];
  private guard: string | null = null;
  /** The envelopes this batch writes to the outbox, to announce once it has committed. */
  readonly envelopes: EventEnvelope[] = [];

  /** Binds a value and returns its placeholder. */
  param(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }

  /** Adds a CTE. */
  with(name: string, sql: string): this {
    this.parts.push(`${name} AS (${sql})`);
    return this;
  }

  /** Adds the CTE whose returned rows gate every write added after it. */
  guardedBy(name: string, sql: string): this {
    this.with(name, sql);
    this.guard = name;
    return this;
  }

  /** Adds a multi-row insert (skipped by Postgres when `rows` is empty). */
  insertRows(
    name: string,
    table: string,
    columns: readonly Column[],
    rows: readonly (readonly unknown[])[],
  ): this {
    const arrays = columns.map((column, i) =>
      this.param(
        rows.map((row) => row[i] ?? null),
        `${column.type}[]`,
      ),
    );
    const gate = this.guard ? ` WHERE EXISTS (SELECT 1 FROM ${this.guard})` : '';
    return this.with(
      name,
      `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})${gate}`,
    );
  }

  /** True once a guard gates the writes (the caller should check its row count). */
  get guarded(): boolean {
    return this.guard !== null;
  }

  /** A condition that holds only when the guard matched (for writes written by hand). */
  get gate(): string {
    return this.guard ? `EXISTS (SELECT 1 FROM ${this.guard})` : 'TRUE';
  }

  /** The finished statement; `select` is its final query (e.g. the guard's row count). */
  toStatement(select = 'SELECT 1 AS done'): Statement {
    const text = `WITH ${this.parts.join(',\n')}\n${select}`;
    return { name: nameOf(text), text, values: this.values };
  }
}

const OUTBOX_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'uuid' },
  { name: 'type', type: 'text' },
  { name: 'schema_version', type: 'int' },
  { name: 'aggregate_id', type: 'uuid' },
  { name: 'aggregate_version', type: 'int' },
  { name: 'project_id', type: 'uuid' },
  { name: 'actor_id', type: 'uuid' },
  { name: 'correlation_id', type: 'text' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'payload', type: 'text' },
];

const PENDING_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'uuid' },
  { name: 'occurred_at', type: 'timestamptz' },
  { name: 'attempts', type: 'int' },
];

/**
 * Adds one outbox row per event (the durable, append-only event log) and its publication-state
 * row, in the command's own statement (live streams are woken after commit, outside it).
 */
export function appendOutbox(
  batch: WriteBatch,
  events: readonly PendingEvent[],
  context: WriteContext,
  ids: IdGenerator,
): WriteBatch {
  const envelopes = events.map((event) => toEnvelope(event, ids.next(), context.correlationId));
  batch.envelopes.push(...envelopes);
  batch.insertRows(
    'outbox_rows',
    'outbox',
    OUTBOX_COLUMNS,
    envelopes.map((e) => [
      e.id,
      e.type,
      e.schemaVersion,
      e.aggregateId,
      e.aggregateVersion,
      e.projectId,
      e.actor,
      e.correlationId,
      e.occurredAt,
      envelopeJson(e),
    ]),
  );
  batch.insertRows(
    'pending_rows',
    'outbox_pending',
    PENDING_COLUMNS,
    envelopes.map((e) => [e.id, e.occurredAt, 0]),
  );
  return batch;
}
