import { randomBytes } from 'node:crypto';
import { type IdGenerator, uuidV7Generator } from '@taskflow/platform-kernel';
import { Database } from '../database';
import type { DatabaseConfig } from '../database.config';
import { runMigrations } from '../migrations/migration-runner';
import { PLATFORM_MIGRATION_STEPS } from '../migrations/migration-steps';
import { PgConnectionStore } from '../pg-connection.store';
import { PgDeadLetterStore } from '../pg-dead-letter.store';
import { PgIdempotencyStore } from '../pg-idempotency.store';
import { PgOutboxStore } from '../pg-outbox.store';
import { PgProcessedEventStore } from '../pg-processed-event.store';

/**
 * Shared set-up of the library's integration specs (not exported from the library): the
 * platform's tables migrated on a test database, its stores over them, and raw-SQL probes that
 * read what the stores wrote without going through them.
 */

/** Adapter settings for a local test server. */
export function testConfig(url: string, overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
  return {
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-persistence-int-spec',
    dialect: 'postgres',
    ...overrides,
  };
}

/** The platform's stores over one pool. */
export interface PlatformStores {
  readonly db: Database;
  readonly idempotency: PgIdempotencyStore;
  readonly outbox: PgOutboxStore;
  readonly processedEvents: PgProcessedEventStore;
  readonly deadLetters: PgDeadLetterStore;
  readonly connections: PgConnectionStore;
  close(): Promise<void>;
}

async function openStores(config: DatabaseConfig, ids: IdGenerator): Promise<PlatformStores> {
  const db = await Database.connect(config);
  return {
    db,
    idempotency: new PgIdempotencyStore(db),
    outbox: new PgOutboxStore(db),
    processedEvents: new PgProcessedEventStore(db),
    deadLetters: new PgDeadLetterStore(db, ids),
    connections: new PgConnectionStore(db),
    close: () => db.close(),
  };
}

/** Opens the pool on `url` and applies the platform's migration steps. */
export async function openMigrated(
  url: string,
  overrides: Partial<DatabaseConfig> = {},
  ids: IdGenerator = uuidV7Generator,
): Promise<PlatformStores> {
  const config = testConfig(url, overrides);
  const stores = await openStores(config, ids);
  try {
    await runMigrations(stores.db.dataSource, config.dialect, PLATFORM_MIGRATION_STEPS);
  } catch (error) {
    await stores.close();
    throw error;
  }
  return stores;
}

/**
 * The dsql dialect's code paths over a test database on PostgreSQL. The schema is applied with
 * the postgres dialect (PostgreSQL has no `CREATE INDEX ASYNC`); then the database's sessions
 * default to REPEATABLE READ, PostgreSQL's snapshot isolation, under which two transactions
 * writing one row end with one of them aborted with 40001, as on DSQL (PostgreSQL makes the
 * second writer wait for the first before aborting it; DSQL aborts it at commit: the outcome is
 * the same). The postgres-dialect pools force READ COMMITTED per session and are unaffected.
 *
 * @returns the dsql-dialect stores; closing them leaves the database to its owner.
 */
export async function openDsqlDialect(
  url: string,
  ids: IdGenerator = uuidV7Generator,
): Promise<PlatformStores> {
  const setup = await openMigrated(url);
  try {
    const name = new URL(url).pathname.slice(1);
    await setup.db.query({
      text: `ALTER DATABASE "${name.replace(/"/g, '""')}" SET default_transaction_isolation = 'repeatable read'`,
      values: [],
    });
  } finally {
    await setup.close();
  }
  return openStores(testConfig(url, { dialect: 'dsql' }), ids);
}

/** A short random token that keeps names and e-mails of one test apart from the others. */
export function token(): string {
  return randomBytes(4).toString('hex');
}

/** Counts rows with a raw query (`SELECT count(*) AS n ...`), outside any store. */
export async function count(
  db: Database,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it holds, or throws after `timeoutMs`. */
export async function eventually(
  probe: () => Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise with its resolver, to hold a transaction open until a test lets it go. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve: (value) => resolve(value) };
}

/** Sessions of the current database that wait for a lock held by another transaction. */
export async function sessionsWaitingForLocks(db: Database): Promise<number> {
  return count(
    db,
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
}
