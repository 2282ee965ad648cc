/** How the adapter reaches PostgreSQL (or Aurora DSQL). */
export interface DatabaseConfig {
  /** postgres://user:password@host:port/database */
  readonly url: string;
  /** Connections in the process-wide pool. */
  readonly poolSize: number;
  /** Server-side statement timeout, in milliseconds (0 = none). */
  readonly statementTimeoutMs: number;
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
