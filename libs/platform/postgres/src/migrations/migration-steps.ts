/** Target SQL dialect of a migration step. */
export type Dialect = 'postgres' | 'dsql';

/**
 * One schema change: exactly one DDL statement, idempotent (`IF NOT EXISTS`), so a step may be
 * re-run after a crash between applying it and recording it. Aurora DSQL allows one DDL
 * statement per transaction and no DDL beside DML; these rules keep one schema for both.
 */
export interface MigrationStep {
  /** Sortable, unique and never renamed once released. */
  readonly name: string;
  sql(dialect: Dialect): string;
}

/** A step that creates a table (`ddl`: `CREATE TABLE IF NOT EXISTS ...`), the same in both dialects. */
export const tableStep = (name: string, ddl: string): MigrationStep => ({ name, sql: () => ddl });

/**
 * A step that creates an index (`definition`: `name ON table (columns)`). DSQL builds indexes
 * asynchronously and rejects the synchronous form.
 */
export const indexStep = (name: string, definition: string, unique = false): MigrationStep => ({
  name,
  sql: (dialect) =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${dialect === 'dsql' ? 'ASYNC ' : ''}IF NOT EXISTS ${definition}`,
});

/**
 * The schema of a deployment from the step lists of its parts (the platform's, each
 * context's): one list in name order, which is the order steps are applied in. Names are the
 * ledger's keys, so two steps with one name are refused rather than one of them never running.
 */
export function assembleMigrationSteps(
  ...lists: readonly (readonly MigrationStep[])[]
): readonly MigrationStep[] {
  const steps = lists.flat();
  const seen = new Set<string>();
  for (const { name } of steps) {
    if (seen.has(name)) throw new Error(`two migration steps are named ${name}`);
    seen.add(name);
  }
  return [...steps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The platform's own tables: the outbox and its publication state, idempotency keys, processed
 * inbound events, dead letters and WebSocket connections. UUID keys (no SERIAL), no foreign keys,
 * triggers or PL/pgSQL, JSON as text, so that the same steps run on PostgreSQL and Aurora DSQL;
 * every context's steps keep the same rules.
 */
export const PLATFORM_MIGRATION_STEPS: readonly MigrationStep[] = [
  tableStep(
    '0014-create-outbox',
    `CREATE TABLE IF NOT EXISTS outbox (
      id uuid PRIMARY KEY,
      type text NOT NULL,
      schema_version integer NOT NULL,
      aggregate_id uuid NOT NULL,
      aggregate_version integer NOT NULL,
      project_id uuid,
      actor_id uuid,
      correlation_id text,
      occurred_at timestamptz NOT NULL,
      payload text NOT NULL
    )`,
  ),
  indexStep('0015-index-outbox-by-project', 'outbox_project_idx ON outbox (project_id, id)'),
  tableStep(
    '0016-create-idempotency-keys',
    `CREATE TABLE IF NOT EXISTS idempotency_keys (
      actor_id uuid NOT NULL,
      key text NOT NULL,
      request_hash text NOT NULL,
      response text NOT NULL,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (actor_id, key)
    )`,
  ),
  indexStep(
    '0017-index-idempotency-by-age',
    'idempotency_keys_created_idx ON idempotency_keys (created_at)',
  ),
  // Publication state, apart from the log: one narrow row per event not yet published, deleted
  // once it is. The outbox itself stays append-only (no row rewritten per event, its five
  // indexes touched once); leases let several relays sweep at once; attempts and
  // next_attempt_at drive backoff; abandoned_at sets aside events that can never be published.
  tableStep(
    '0018-create-outbox-pending',
    `CREATE TABLE IF NOT EXISTS outbox_pending (
      id uuid PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      attempts integer NOT NULL,
      next_attempt_at timestamptz,
      lease_until timestamptz,
      lease_owner text,
      last_error text,
      abandoned_at timestamptz
    )`,
  ),
  // The writing transaction's id (PostgreSQL only): readers deliver a row once every older
  // writer has finished, which makes (tx, id) a commit-safe order for resumable streams.
  // Aurora DSQL has no transaction ids; the column stays null there.
  {
    name: '0024-outbox-tx',
    sql: (dialect) =>
      dialect === 'dsql'
        ? 'ALTER TABLE outbox ADD COLUMN IF NOT EXISTS tx bigint'
        : 'ALTER TABLE outbox ADD COLUMN IF NOT EXISTS tx bigint DEFAULT (pg_current_xact_id()::text::bigint)',
  },
  indexStep(
    '0027-index-outbox-project-stream',
    'outbox_project_stream_idx ON outbox (project_id, tx, id)',
  ),
  // Idempotent consumption of inbound bus events: the row is written in the transaction of the
  // event's effects, so a redelivered event id finds it and changes nothing.
  tableStep(
    '0028-create-processed-events',
    `CREATE TABLE IF NOT EXISTS processed_events (
      event_id text PRIMARY KEY,
      processed_at timestamptz NOT NULL,
      outcome text NOT NULL
    )`,
  ),
  // Events a bus target gave up on (the local stand-in for an SQS dead-letter queue), kept
  // after replay as an audit trail.
  tableStep(
    '0029-create-dead-letters',
    `CREATE TABLE IF NOT EXISTS dead_letters (
      id uuid PRIMARY KEY,
      source text NOT NULL,
      detail_type text NOT NULL,
      target text,
      event text NOT NULL,
      reason text NOT NULL,
      attempts integer NOT NULL,
      failed_at timestamptz NOT NULL,
      replayed_at timestamptz
    )`,
  ),
  indexStep(
    '0030-index-dead-letters-by-time',
    'dead_letters_failed_idx ON dead_letters (failed_at, id)',
  ),
  // Open API Gateway WebSocket connections and the project each follows. Keyed by API Gateway's
  // own connection id (not a UUID). API Gateway ends every connection within two hours and only
  // tries to call $disconnect, so each row carries the instant it is certainly stale.
  tableStep(
    '0031-create-ws-connections',
    `CREATE TABLE IF NOT EXISTS ws_connections (
      connection_id text PRIMARY KEY,
      project_id uuid NOT NULL,
      user_id uuid NOT NULL,
      connected_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
  ),
  indexStep(
    '0032-index-ws-connections-by-project',
    'ws_connections_project_idx ON ws_connections (project_id, user_id)',
  ),
  indexStep(
    '0033-index-ws-connections-by-expiry',
    'ws_connections_expiry_idx ON ws_connections (expires_at)',
  ),
  // The region whose WebSocket API holds the connection. Two regions share this table, but a
  // broadcaster reaches only its own region's API (any other connection answers 410 Gone
  // there): it lists, prunes and forgets only its own rows. Null on rows written before this
  // step, which expire within two hours (see PgConnectionStore for how they are read).
  {
    name: '0035-ws-connections-region',
    sql: () => 'ALTER TABLE ws_connections ADD COLUMN IF NOT EXISTS region text',
  },
];
