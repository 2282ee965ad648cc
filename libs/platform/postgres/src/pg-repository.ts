import type { PendingEvent } from '@taskflow/platform-events';
import type { IdGenerator, Page, WriteContext } from '@taskflow/platform-kernel';
import { decodeCursor, pageOf } from './cursor';
import type { Database, QueryOutcome } from './database';
import { appendOutbox, WriteBatch } from './write-batch';

/** What a repository writes of an aggregate besides its rows: the events it has not yet published. */
export interface EventSource {
  pullEvents(): readonly PendingEvent[];
}

/**
 * The base of a context's PostgreSQL repository: the database, the id generator of its outbox
 * rows, and the write and read shapes every repository repeats.
 */
export abstract class PgRepository {
  constructor(
    protected readonly db: Database,
    protected readonly ids: IdGenerator,
  ) {}

  /** A statement under construction. */
  protected newBatch(): WriteBatch {
    return new WriteBatch();
  }

  /**
   * Writes the rows `build` adds and the aggregate's pending events (to the outbox) in one
   * statement, then announces the events to in-process listeners once it has committed.
   */
  protected async write(
    aggregate: EventSource,
    context: WriteContext,
    build: (batch: WriteBatch) => void,
  ): Promise<void> {
    const batch = this.newBatch();
    build(batch);
    appendOutbox(batch, aggregate.pullEvents(), context, this.ids);
    await this.db.query(batch.toStatement());
    this.db.announce(batch.envelopes);
  }

  /**
   * One page after `cursor`: `fetch` gets the decoded cursor and the row limit (one more than
   * `limit`, which tells whether another page follows).
   */
  protected async page<R extends { id: string }, T>(
    limit: number,
    cursor: string | null,
    fromRow: (row: R) => T,
    fetch: (after: string | null, rowLimit: number) => Promise<QueryOutcome<R>>,
  ): Promise<Page<T>> {
    const { rows } = await fetch(decodeCursor(cursor), limit + 1);
    return pageOf(rows, limit, fromRow);
  }
}
