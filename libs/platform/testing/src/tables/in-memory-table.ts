import { type PendingEvent } from '@taskflow/platform-events';
import { StaleVersionError, type WriteContext } from '@taskflow/platform-kernel';
import { byIdAscending, compareIds, pageAfter, requireUuid } from '../fakes/cursor';
import { InMemoryStore, type InMemoryStoreOptions } from '../fakes/in-memory-store';

/** The order a keyset page runs in: by id, oldest first (`asc`) or newest first (`desc`). */
export type IdOrder = 'asc' | 'desc';

/**
 * What the in-memory repositories of one table share: its rows by id, inserts with the Postgres
 * primary key's semantics, and keyset pages by id.
 */
export abstract class InMemoryTable<Row extends { readonly id: string }> extends InMemoryStore {
  /** The stored rows by id (the repository's own copies). */
  protected readonly rows = new Map<string, Row>();

  /** @param table - the table the adapter writes, as its errors name it (`tasks`). */
  protected constructor(
    protected readonly table: string,
    options: InMemoryStoreOptions,
  ) {
    super(options);
  }

  /** How many rows are stored. */
  get size(): number {
    return this.rows.size;
  }

  /**
   * Inserts `row` as a write that commits `events`: a non-UUID id is a driver error, a taken id
   * violates the primary key; `check` runs (and may refuse) once neither is the case.
   */
  protected async insert(
    row: Row,
    events: readonly PendingEvent[],
    context: WriteContext,
    check: () => void = () => undefined,
  ): Promise<void> {
    requireUuid(row.id, `${this.table}.id`);
    await this.runConcurrentWriter();
    if (this.rows.has(row.id))
      throw new Error(
        `duplicate key value violates unique constraint "${this.table}_pkey" (${row.id})`,
      );
    check();
    this.rows.set(row.id, row);
    this.record(events, context);
  }

  /** One keyset page of `rows` (already filtered) in id `order`, each item made by `load`. */
  protected pageOf<T>(
    rows: Iterable<Row>,
    order: IdOrder,
    limit: number,
    cursor: string | null,
    load: (row: Row) => T,
  ): { items: T[]; nextCursor: string | null } {
    const sign = order === 'asc' ? 1 : -1;
    return pageAfter(
      [...rows].sort((a, b) => sign * byIdAscending(a, b)),
      (id, after) => sign * compareIds(id, after) > 0,
      limit,
      cursor,
      load,
    );
  }
}

/**
 * An {@link InMemoryTable} whose rows carry a version: an update is refused with
 * `StaleVersionError` (and counted in `staleSaves`) unless the stored version is still the one
 * the aggregate was loaded at.
 */
export abstract class InMemoryVersionedTable<
  Row extends { readonly id: string; readonly version: number },
> extends InMemoryTable<Row> {
  private refused = 0;

  /** How many saves were refused because the stored version had moved on. */
  get staleSaves(): number {
    return this.refused;
  }

  /**
   * Before the next write, a concurrent writer bumps the stored version of row `id` once
   * (changing nothing else), so that a save of it loses the race and a retry must reload.
   */
  bumpVersionBeforeNextSave(id: string): void {
    this.interleave(() => {
      const row = this.rows.get(id);
      if (!row) throw new Error(`no stored ${this.table} row ${id} to bump`);
      this.rows.set(id, { ...row, version: row.version + 1 });
    });
  }

  /**
   * Updates row `id`, loaded at `loadedVersion`, to what `write` makes of the stored row, as a
   * write that commits `events`; a stale version stores nothing (nor does a `write` that throws).
   */
  protected async update(
    id: string,
    loadedVersion: number,
    events: readonly PendingEvent[],
    context: WriteContext,
    write: (stored: Row) => Row,
  ): Promise<void> {
    await this.runConcurrentWriter();
    const stored = this.rows.get(id);
    if (stored?.version !== loadedVersion) {
      this.refused += 1;
      throw new StaleVersionError(loadedVersion, null);
    }
    this.rows.set(id, write(stored));
    this.record(events, context);
  }
}
