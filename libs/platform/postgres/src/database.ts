import { AsyncLocalStorage } from 'node:async_hooks';
import { type TransactionRunner, retrying } from '@taskflow/platform-ports';
import { type EventEnvelope } from '@taskflow/platform-events';
import * as pg from 'pg';
import type { DatabaseConfig } from './database.config';
import { isRetryableConflict } from './pg-errors';
import { connectionTarget, poolDriver } from './pool-credentials';

/** Attempts of a transaction, or of a statement on its own, that the engine aborted for a conflict. */
export const CONFLICT_ATTEMPTS = 3;

/**
 * Runs `attempt` again when the engine aborted it for a conflict with a concurrent transaction;
 * any other failure, or the last one, is thrown.
 */
function retryingConflicts<T>(attempt: () => Promise<T>): Promise<T> {
  return retrying(attempt, {
    retryable: isRetryableConflict,
    attempts: CONFLICT_ATTEMPTS,
    // Full jitter over a few milliseconds, doubling: the two sides do not collide again.
    pauseMs: (round) => Math.random() * 5 * 2 ** round,
  });
}

/** Rows and affected-row count of one statement. */
export interface QueryOutcome<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/** A statement the pool may prepare once per connection and reuse. */
export interface Statement {
  /** Stable name: the same name must always carry the same text. */
  readonly name?: string;
  readonly text: string;
  readonly values: readonly unknown[];
}

// pg returns int8 (count(*)) as a string by default; every count we read fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number.parseInt(value, 10));

/**
 * Session settings of every PostgreSQL connection (startup options: they override database and
 * role defaults).
 * - SSD-backed storage (local disks, Aurora): with the spinning-disk default random_page_cost
 *   of 4 the planner walks the primary key backwards through other projects' newer tasks
 *   instead of the project's own index (measured: 50,000 rows read for one page of 51).
 * - READ COMMITTED, whatever a parameter group says: a member's removal relies on each of its
 *   statements seeing what committed before it (the task writes it waited for), which a
 *   transaction-wide snapshot (REPEATABLE READ) would hide.
 */
export const POSTGRES_SESSION_OPTIONS =
  '-c random_page_cost=1.1 -c default_transaction_isolation=read\\ committed';

/** Idle time before the kernel probes a connection (its default is two hours). */
const KEEPALIVE_IDLE_MS = 10_000;

/** Told about events once the transaction that wrote them has committed. */
export type CommitListener = (events: readonly EventEnvelope[]) => void;

interface AmbientTransaction {
  readonly client: pg.PoolClient;
  readonly announced: EventEnvelope[];
  /**
   * Set when a statement failed on the client's side (a missed deadline, a lost socket): the
   * connection may still owe that statement's answer, so it is not used again, not even for
   * ROLLBACK (the server rolls back when the connection closes), and never goes back to the pool.
   */
  broken: Error | undefined;
}

/** A pg query with its client-side deadline (pg reads `query_timeout`; its typings omit it). */
type TimedQuery = pg.QueryConfig & { readonly query_timeout?: number };

/**
 * The process-wide connection pool (`pg`'s) and the ambient transaction.
 * Statements outside a transaction go straight to the pool as named prepared statements (one
 * round trip each); inside `run()` they join that transaction's connection.
 *
 * Every wait is bounded on the client (`connectTimeoutMs` to get a connection, `queryTimeoutMs`
 * per statement): a database that stops answering fails requests within those deadlines, and a
 * connection that missed one is destroyed, so the pool heals by opening new ones once the
 * database answers again.
 *
 * TypeORM is not on this path: requests, streams and the relay need a pool and transactions, and
 * TypeORM's DataSource would add its initialisation (three queries at connect) and about 280 KB
 * to every Lambda bundle for none of its features. Migrations run through TypeORM
 * (`@taskflow/platform-postgres/migrate`), which only the migrator and the host import.
 */
export class Database implements TransactionRunner {
  private readonly ambient = new AsyncLocalStorage<AmbientTransaction>();
  private readonly listeners = new Set<CommitListener>();

  private constructor(
    /** The pool itself, for benchmarks and diagnostics. */
    readonly pool: pg.Pool,
    readonly config: DatabaseConfig,
  ) {}

  /**
   * Opens the pool and its first connection: a database that is unreachable or refuses the
   * credentials fails here, at start, rather than on the first request.
   */
  static async connect(config: DatabaseConfig): Promise<Database> {
    const { Pool } = poolDriver(config);
    const pool = new Pool({ ...poolConnectionSettings(config), max: config.poolSize });
    // An idle connection that fails (the server restarted, a network cut) is dropped by the
    // pool, which opens a new one when next needed; without a listener, the error would end
    // the process.
    pool.on('error', () => undefined);
    try {
      (await pool.connect()).release();
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new Database(pool, config);
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.pool.ending;
  }

  /**
   * A connection of its own, outside the pool (for LISTEN), with the pool's settings and
   * deadlines: opening it fails after `connectTimeoutMs`, each statement after `queryTimeoutMs`.
   */
  async newClient(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.config.url,
      ...connectionTarget(this.config),
      application_name: this.config.applicationName,
      ssl:
        this.config.ssl === 'disable'
          ? false
          : { rejectUnauthorized: this.config.ssl === 'verify' },
      connectionTimeoutMillis: this.config.connectTimeoutMs,
      ...(this.config.queryTimeoutMs > 0 ? { query_timeout: this.config.queryTimeoutMs } : {}),
      // The LISTEN connection is idle for long stretches: only keepalives notice it died.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
    });
    await client.connect();
    return client;
  }

  /** Runs one statement in the ambient transaction, or on its own. */
  async query<R>(statement: Statement): Promise<QueryOutcome<R>> {
    const trace = this.config.traceQuery;
    if (trace === undefined) return this.execute<R>(statement);
    return trace(statement.name ?? statementLabel(statement.text), () =>
      this.execute<R>(statement),
    );
  }

  private async execute<R>(statement: Statement): Promise<QueryOutcome<R>> {
    const transaction = this.ambient.getStore();
    if (transaction) {
      const result = await this.inTransaction(transaction, this.timed(statement));
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    }
    // On its own, a statement is its own transaction: one aborted for a conflict changed
    // nothing and runs again as it is. pg-pool destroys the connection of any failed
    // pool.query, so one that missed its deadline never serves another statement.
    const result = await retryingConflicts(() => this.pool.query(this.timed(statement)));
    return { rows: result.rows as R[], rowCount: result.rowCount ?? 0 };
  }

  private timed(statement: Statement): TimedQuery {
    return {
      ...(statement.name === undefined ? {} : { name: statement.name }),
      text: statement.text,
      values: [...statement.values],
      ...(this.config.queryTimeoutMs > 0 ? { query_timeout: this.config.queryTimeoutMs } : {}),
    };
  }

  /** Sends one statement on the transaction's connection, marking it broken on a client-side failure. */
  private async inTransaction(
    transaction: AmbientTransaction,
    query: TimedQuery,
  ): Promise<pg.QueryResult> {
    // Behind a statement still owed an answer, this one would only wait out its own deadline.
    if (transaction.broken !== undefined) throw transaction.broken;
    try {
      return await transaction.client.query(query);
    } catch (error) {
      // The server's own refusals (a constraint, a conflict) leave the connection usable.
      if (!(error instanceof pg.DatabaseError)) transaction.broken = asError(error);
      throw error;
    }
  }

  /**
   * Runs `work` in one transaction; nested calls join the outer one. A transaction the engine
   * aborts for a conflict (DSQL's optimistic concurrency at commit, a PostgreSQL deadlock) is
   * rolled back and `work` runs again in a new one, so `work` must keep its effects inside it.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.ambient.getStore()) return work();
    return retryingConflicts(() => this.runOnce(work));
  }

  /**
   * One attempt on a connection of its own (a connection that missed a deadline is handed back
   * as broken and destroyed). A COMMIT
   * that missed its deadline is ambiguous (it may have committed): the error says unavailable
   * and the caller's retry with its Idempotency-Key finds the stored answer if it did.
   */
  private async runOnce<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const transaction: AmbientTransaction = { client, announced: [], broken: undefined };
    try {
      await this.inTransaction(transaction, this.timed({ text: 'BEGIN', values: [] }));
      const result = await this.ambient.run(transaction, work);
      // `work` may have caught a statement's failure; a broken connection must not commit.
      if (transaction.broken !== undefined) throw transaction.broken;
      await this.inTransaction(transaction, this.timed({ text: 'COMMIT', values: [] }));
      this.emit(transaction.announced);
      return result;
    } catch (error) {
      if (transaction.broken === undefined) {
        await this.inTransaction(transaction, this.timed({ text: 'ROLLBACK', values: [] })).catch(
          () => undefined,
        );
      }
      throw error;
    } finally {
      // A truthy argument makes pg-pool destroy the connection instead of pooling it.
      client.release(transaction.broken);
    }
  }

  /**
   * Registers a listener for committed events (the relay's fast path). Returns the function
   * that unregisters it.
   */
  onCommitted(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Announces events a repository just wrote: at once when the statement committed on its own,
   * after commit when inside `run()` (and never if that transaction rolls back).
   */
  announce(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    const transaction = this.ambient.getStore();
    if (transaction) transaction.announced.push(...events);
    else this.emit(events);
  }

  private emit(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) {
      // A listener's failure must never fail the command that already committed.
      try {
        listener(events);
      } catch {
        // The relay's sweeper publishes whatever the fast path dropped.
      }
    }
  }

  /** True when the database answers a trivial query within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    // Async so that a pool already closed (which throws synchronously) also reads as "down".
    // The probe's own deadline makes pg-pool destroy a connection that never answered, so
    // health checks during an outage do not pile stuck connections up in the pool.
    const probe = (async () => {
      const query: TimedQuery = { text: 'SELECT 1', query_timeout: timeoutMs };
      await this.pool.query(query);
      return true;
    })().catch(() => false);
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    if (!this.pool.ending) await this.pool.end();
  }
}

/**
 * How every connection of a pool on `config` is opened: target, TLS, session settings,
 * deadlines and keepalives (the pool's size aside). The migrations' TypeORM pool uses it too.
 */
export function poolConnectionSettings(config: DatabaseConfig): pg.PoolConfig {
  return {
    connectionString: config.url,
    application_name: config.applicationName,
    ssl: config.ssl === 'disable' ? false : { rejectUnauthorized: config.ssl === 'verify' },
    ...(config.dialect === 'postgres' ? { options: POSTGRES_SESSION_OPTIONS } : {}),
    ...connectionTarget(config),
    maxLifetimeSeconds: config.maxConnectionLifetimeSeconds ?? 0,
    ...(config.statementTimeoutMs > 0 ? { statement_timeout: config.statementTimeoutMs } : {}),
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: config.connectTimeoutMs,
    // A socket to a host that vanished (no FIN, no RST) is noticed by the kernel, in time.
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
  };
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** A short label for an unnamed statement: its first two words (`SELECT count`, `INSERT INTO`). */
function statementLabel(text: string): string {
  return text.trim().split(/\s+/, 2).join(' ');
}
