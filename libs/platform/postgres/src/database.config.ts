/**
 * Where a new connection's password comes from when it is not in the URL: a secret that
 * rotates, or an IAM token that must be fresh for each connection (Aurora DSQL). The server
 * checks a password only when a connection opens, so that is the only time one is asked for.
 */
export interface DatabaseCredentials {
  /** The password of one new connection; called once per connection the pool opens. */
  password(): Promise<string>;
  /**
   * Re-reads the credentials after the server refused them (SQLSTATE 28P01, 28000): a secret
   * rotated since it was read. The connection is then tried once more, so a rotation never
   * fails a running function. `since` is when the refused connection started
   * (`performance.now()`): credentials re-read after it are already the newest, and several
   * connections refused together need one re-read. Absent where re-reading cannot help.
   */
  refresh?(since: number): Promise<void>;
}

/** How the adapter reaches PostgreSQL (or Aurora DSQL). */
export interface DatabaseConfig {
  /**
   * postgres://user:password@host:port/database; without the password when `credentials`
   * gives it.
   */
  readonly url: string;
  /** The password of each new connection, instead of the one in `url`. */
  readonly credentials?: DatabaseCredentials;
  /**
   * Age in seconds after which a pooled connection is closed and replaced (absent or 0: never).
   * Aurora DSQL ends every connection at 60 minutes; an older one would fail mid-request.
   */
  readonly maxConnectionLifetimeSeconds?: number;
  /** Connections in the process-wide pool. */
  readonly poolSize: number;
  /** Server-side statement timeout, in milliseconds (0 = none). */
  readonly statementTimeoutMs: number;
  /**
   * Client-side deadline to get a connection, in milliseconds (0 = wait for ever): waiting for
   * a free pooled one, or opening a new one (TCP, TLS, authentication). A database that stopped
   * answering fails here instead of queueing every request behind it.
   */
  readonly connectTimeoutMs: number;
  /**
   * Client-side deadline of each statement, in milliseconds (0 = none): the statement timeout
   * cannot help when the server itself stopped answering; this does. A connection whose
   * statement missed it is destroyed, never returned to the pool. It is the caller's budget for
   * one statement, so set it far above what a healthy database takes (milliseconds) and to 0
   * for long work (migrations, bulk loads). When it is below `statementTimeoutMs`, the server's
   * timeout still ends the statements a client gave up on.
   */
  readonly queryTimeoutMs: number;
  /** TLS: off, on with certificate verification, or on without (self-signed dev servers). */
  readonly ssl: 'disable' | 'verify' | 'no-verify';
  /** Shown in pg_stat_activity. */
  readonly applicationName: string;
  /** Target engine: DSQL wants `CREATE INDEX ASYNC` and has no advisory locks. */
  readonly dialect: 'postgres' | 'dsql';
  /**
   * Wraps every statement (tracing: an X-Ray subsegment per query in Lambda). `name` is the
   * prepared statement's name, or the first words of its text.
   */
  readonly traceQuery?: QueryTracer;
}

/** Runs one statement inside whatever span the caller opens around it. */
export type QueryTracer = <T>(name: string, run: () => Promise<T>) => Promise<T>;
