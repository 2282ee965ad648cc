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

const table = (name: string, ddl: string): MigrationStep => ({ name, sql: () => ddl });

// DSQL builds indexes asynchronously and rejects the synchronous form.
const index = (name: string, definition: string, unique = false): MigrationStep => ({
  name,
  sql: (dialect) =>
    `CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${dialect === 'dsql' ? 'ASYNC ' : ''}IF NOT EXISTS ${definition}`,
});

/**
 * The schema, in order. UUID keys (no SERIAL), no foreign keys, triggers or PL/pgSQL, JSON as
 * text, so that the same steps run on PostgreSQL and Aurora DSQL.
 */
export const MIGRATION_STEPS: readonly MigrationStep[] = [
  table(
    '0001-create-users',
    `CREATE TABLE IF NOT EXISTS users (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      email text NOT NULL,
      email_lower text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL
    )`,
  ),
  index('0002-index-users-email', 'users_email_lower_key ON users (email_lower)', true),
  table(
    '0003-create-projects',
    `CREATE TABLE IF NOT EXISTS projects (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      created_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      version integer NOT NULL
    )`,
  ),
  table(
    '0004-create-project-members',
    `CREATE TABLE IF NOT EXISTS project_members (
      project_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      added_at timestamptz NOT NULL,
      PRIMARY KEY (project_id, user_id)
    )`,
  ),
  index(
    '0005-index-members-by-user',
    'project_members_user_idx ON project_members (user_id, project_id)',
  ),
  table(
    '0006-create-tasks',
    `CREATE TABLE IF NOT EXISTS tasks (
      id uuid PRIMARY KEY,
      project_id uuid NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      status text NOT NULL,
      priority text NOT NULL,
      assignee_id uuid,
      created_by uuid NOT NULL,
      due_date timestamptz,
      labels text NOT NULL,
      version integer NOT NULL,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      completed_at timestamptz,
      deleted_at timestamptz
    )`,
  ),
  index('0007-index-tasks-by-project', 'tasks_project_idx ON tasks (project_id, id)'),
  index(
    '0008-index-tasks-by-project-status',
    'tasks_project_status_idx ON tasks (project_id, status, id)',
  ),
  index('0009-index-tasks-by-assignee', 'tasks_assignee_idx ON tasks (assignee_id, id)'),
  table(
    '0010-create-task-updates',
    `CREATE TABLE IF NOT EXISTS task_updates (
      id uuid PRIMARY KEY,
      task_id uuid NOT NULL,
      version integer NOT NULL,
      field text NOT NULL,
      old_value text,
      new_value text,
      actor_id uuid,
      at timestamptz NOT NULL
    )`,
  ),
  index(
    '0011-index-task-updates-by-task',
    'task_updates_task_idx ON task_updates (task_id, version)',
  ),
  table(
    '0012-create-comments',
    `CREATE TABLE IF NOT EXISTS comments (
      id uuid PRIMARY KEY,
      task_id uuid NOT NULL,
      project_id uuid NOT NULL,
      author_id uuid NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL
    )`,
  ),
  index('0013-index-comments-by-task', 'comments_task_idx ON comments (task_id, id)'),
  table(
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
  index('0015-index-outbox-by-project', 'outbox_project_idx ON outbox (project_id, id)'),
  table(
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
  index(
    '0017-index-idempotency-by-age',
    'idempotency_keys_created_idx ON idempotency_keys (created_at)',
  ),
  // Publication state, apart from the log: one narrow row per event not yet published, deleted
  // once it is. The outbox itself stays append-only (no row rewritten per event, its five
  // indexes touched once); leases let several relays sweep at once; attempts and
  // next_attempt_at drive backoff; abandoned_at sets aside events that can never be published.
  table(
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
  index(
    '0027-index-outbox-project-stream',
    'outbox_project_stream_idx ON outbox (project_id, tx, id)',
  ),
  // Idempotent consumption of inbound bus events: the row is written in the transaction of the
  // event's effects, so a redelivered event id finds it and changes nothing.
  table(
    '0028-create-processed-events',
    `CREATE TABLE IF NOT EXISTS processed_events (
      event_id text PRIMARY KEY,
      processed_at timestamptz NOT NULL,
      outcome text NOT NULL
    )`,
  ),
  // Events a bus target gave up on (the local stand-in for an SQS dead-letter queue), kept
  // after replay as an audit trail.
  table(
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
  index(
    '0030-index-dead-letters-by-time',
    'dead_letters_failed_idx ON dead_letters (failed_at, id)',
  ),
  // Open API Gateway WebSocket connections and the project each follows. Keyed by API Gateway's
  // own connection id (not a UUID). API Gateway ends every connection within two hours and only
  // tries to call $disconnect, so each row carries the instant it is certainly stale.
  table(
    '0031-create-ws-connections',
    `CREATE TABLE IF NOT EXISTS ws_connections (
      connection_id text PRIMARY KEY,
      project_id uuid NOT NULL,
      user_id uuid NOT NULL,
      connected_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL
    )`,
  ),
  index(
    '0032-index-ws-connections-by-project',
    'ws_connections_project_idx ON ws_connections (project_id, user_id)',
  ),
  index(
    '0033-index-ws-connections-by-expiry',
    'ws_connections_expiry_idx ON ws_connections (expires_at)',
  ),
  // Bumped by every write that assigns the member a task, on Aurora DSQL only: the assignment
  // then writes the membership row that a removal deletes, so under DSQL's optimistic
  // concurrency one of the two aborts (40001) instead of both committing unseen by each other.
  // PostgreSQL locks the row instead (FOR KEY SHARE) and leaves the column null.
  {
    name: '0034-project-members-assignments',
    sql: () => 'ALTER TABLE project_members ADD COLUMN IF NOT EXISTS assignments integer',
  },
  // The region whose WebSocket API holds the connection. Two regions share this table, but a
  // broadcaster reaches only its own region's API (any other connection answers 410 Gone
  // there): it lists, prunes and forgets only its own rows. Null on rows written before this
  // step, which expire within two hours (see PgConnectionStore for how they are read).
  {
    name: '0035-ws-connections-region',
    sql: () => 'ALTER TABLE ws_connections ADD COLUMN IF NOT EXISTS region text',
  },
];
