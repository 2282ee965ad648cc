import type * as pg from 'pg';
import type { DataSource } from 'typeorm';
import type { Database } from './database';
import { runMigrations } from './migrations/migration-runner';
import type { MigrationStep } from './migrations/migration-steps';

/**
 * Aurora DSQL's rules, as checks the integration specs of every SQL adapter (the platform's
 * stores, each context's repository, the assembled schema) run over the SQL it sends; no
 * production code calls them. There is no DSQL here: the specs run the dsql dialect's code paths
 * against PostgreSQL, record every statement and transaction, and hold them to these rules, so a
 * statement DSQL would refuse fails a test here first.
 */

/** Most rows one DSQL transaction may insert, update or delete. */
export const DSQL_MAX_ROWS_PER_TRANSACTION = 3_000;

/** A statement shape DSQL refuses, and the test that finds it. */
interface Rule {
  readonly rule: string;
  readonly offends: (sql: string) => boolean;
}

// Only the shape DSQL accepts: a plain SELECT from one table whose WHERE is nothing but
// equalities on parameters (the primary key's columns), then FOR UPDATE.
const PRIMARY_KEY_LOCK =
  /^SELECT [\s\S]+? FROM \w+(?: \w+)? WHERE \w+(?:\.\w+)? = \$\d+(?:::\w+)?(?: AND \w+(?:\.\w+)? = \$\d+(?:::\w+)?)* FOR UPDATE$/i;

const STATEMENT_RULES: readonly Rule[] = [
  {
    rule: 'no shared row locks (FOR SHARE, FOR KEY SHARE)',
    offends: (s) => /\bFOR (KEY )?SHARE\b/i.test(s),
  },
  { rule: 'no FOR NO KEY UPDATE', offends: (s) => /\bFOR NO KEY UPDATE\b/i.test(s) },
  {
    rule: 'FOR UPDATE only on a primary-key equality',
    offends: (s) => /\bFOR UPDATE\b/i.test(s) && !PRIMARY_KEY_LOCK.test(s.trim()),
  },
  { rule: 'no SKIP LOCKED or NOWAIT', offends: (s) => /\b(SKIP LOCKED|NOWAIT)\b/i.test(s) },
  { rule: 'no LISTEN/NOTIFY', offends: (s) => /\b(pg_notify|LISTEN|UNLISTEN|NOTIFY)\b/i.test(s) },
  { rule: 'no SAVEPOINT', offends: (s) => /\b(SAVEPOINT|RELEASE SAVEPOINT)\b/i.test(s) },
  { rule: 'no TRUNCATE', offends: (s) => /\bTRUNCATE\b/i.test(s) },
  { rule: 'no temporary table', offends: (s) => /\b(TEMP|TEMPORARY)\s+TABLE\b/i.test(s) },
  { rule: 'no advisory lock', offends: (s) => /\bpg_(try_)?advisory/i.test(s) },
  {
    rule: 'no transaction ids',
    offends: (s) => /\b(pg_current_xact_id|txid_current|xmin|xmax)\b/i.test(s),
  },
  { rule: 'no LOCK TABLE', offends: (s) => /^\s*LOCK\b/i.test(s) },
];

/** The DSQL rules one runtime statement breaks (none: an empty list). */
export function dsqlStatementViolations(sql: string): string[] {
  return STATEMENT_RULES.filter((r) => r.offends(sql)).map((r) => r.rule);
}

/** One transaction as a recorded client sent it. */
export interface RecordedTransaction {
  /** Statement texts in order, BEGIN and COMMIT excluded. */
  readonly statements: string[];
  /**
   * Rows the transaction inserted, updated or deleted, as PostgreSQL counted them
   * (`pg_stat_xact_user_tables`); null when it rolled back.
   */
  rowsChanged: number | null;
}

/** Everything a recorded pool sent, grouped by transaction. */
export interface StatementLog {
  readonly transactions: readonly RecordedTransaction[];
  /** Every statement, in order. */
  readonly statements: readonly string[];
  /** Statement, rule) pairs for every statement that breaks a DSQL rule. */
  violations(): { statement: string; rule: string }[];
  /** Transactions that changed more rows than DSQL allows. */
  oversized(limit?: number): RecordedTransaction[];
  /** Forgets what was recorded so far. */
  clear(): void;
}

type QueryFn = (...args: unknown[]) => unknown;

const ROWS_CHANGED =
  'SELECT COALESCE(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::int AS n FROM pg_stat_xact_user_tables';

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  const text = (arg as { text?: unknown } | null)?.text;
  return typeof text === 'string' ? text : '';
}

/**
 * Records every statement the pool of `db` sends from now on, with the transaction it belongs
 * to and the rows each transaction changed (PostgreSQL's per-backend counters read right after
 * BEGIN and right before COMMIT: they also hold earlier transactions' counts not yet flushed to
 * the statistics, so only their difference is this transaction's). A statement sent on its own (autocommit) is sent
 * inside BEGIN … COMMIT instead, which is the same thing to the server and lets PostgreSQL count
 * its rows. Install it on a pool nothing else uses.
 */
export function recordStatements(db: Database): StatementLog {
  const transactions: RecordedTransaction[] = [];
  const statements: string[] = [];
  const wrapped = new WeakSet<pg.PoolClient>();

  const wrap = (client: pg.PoolClient): void => {
    if (wrapped.has(client)) return;
    wrapped.add(client);
    const original = client.query.bind(client) as QueryFn;
    const send = (text: string): Promise<pg.QueryResult> =>
      original(text) as Promise<pg.QueryResult>;
    const countRows = async (): Promise<number> =>
      ((await send(ROWS_CHANGED)).rows[0] as { n: number } | undefined)?.n ?? 0;
    const baselines = new WeakMap<RecordedTransaction, Promise<number>>();
    let open: RecordedTransaction | null = null;

    const replacement: QueryFn = (...args) => {
      const text = textOf(args[0]).trim();
      const verb = text.toUpperCase();
      if (verb === 'BEGIN') {
        const opening: RecordedTransaction = { statements: [], rowsChanged: null };
        open = opening;
        transactions.push(opening);
        const begun = original(...args);
        // Queued right behind BEGIN, ahead of the caller's next statement.
        baselines.set(opening, countRows());
        return begun;
      }
      if (verb === 'COMMIT' && open !== null) {
        const closing: RecordedTransaction = open;
        open = null;
        // Queued ahead of COMMIT on the same connection: it runs inside the transaction.
        const before = baselines.get(closing) ?? Promise.resolve(0);
        void Promise.all([before, countRows()]).then(
          ([start, end]) => {
            closing.rowsChanged = end - start;
          },
          () => undefined,
        );
        return original(...args);
      }
      if (verb === 'ROLLBACK') {
        open = null;
        return original(...args);
      }
      statements.push(text);
      if (open !== null) {
        open.statements.push(text);
        return original(...args);
      }
      // On its own: the same statement in a transaction of its own, so its rows are counted.
      const callback = typeof args.at(-1) === 'function' ? (args.pop() as QueryFn) : null;
      const single: RecordedTransaction = { statements: [text], rowsChanged: null };
      transactions.push(single);
      const outcome = (async () => {
        await send('BEGIN');
        try {
          const start = await countRows();
          const result = await (original(...args) as Promise<pg.QueryResult>);
          const end = await countRows();
          await send('COMMIT');
          single.rowsChanged = end - start;
          return result;
        } catch (error) {
          await send('ROLLBACK').catch(() => undefined);
          throw error;
        }
      })();
      if (callback === null) return outcome;
      outcome.then(
        (result) => callback(undefined, result),
        (error: unknown) => callback(error),
      );
      return undefined;
    };
    Reflect.set(client, 'query', replacement);
  };

  db.pool.on('acquire', wrap);
  return {
    transactions,
    statements,
    violations: () =>
      statements.flatMap((statement) =>
        dsqlStatementViolations(statement).map((rule) => ({ statement, rule })),
      ),
    oversized: (limit = DSQL_MAX_ROWS_PER_TRANSACTION) =>
      transactions.filter((t) => (t.rowsChanged ?? 0) > limit),
    clear: () => {
      transactions.length = 0;
      statements.length = 0;
    },
  };
}

/** What a migration run sent: each transaction's statements, or one statement on its own. */
export interface MigrationUnit {
  readonly inTransaction: boolean;
  /** The statements, as split at top-level semicolons (a text may hold several). */
  readonly statements: readonly string[];
}

/**
 * Key columns that are not UUIDs by design, each a natural key handed to us: the ledger's step
 * names, the bus's event ids (EventBridge does not promise UUIDs), API Gateway's connection ids,
 * and clients' Idempotency-Key values.
 */
const NATURAL_KEYS = new Set([
  'schema_migrations.name',
  'processed_events.event_id',
  'ws_connections.connection_id',
  'idempotency_keys.key',
]);

const DDL = /^(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE|TRUNCATE)\b/i;

const DDL_RULES: readonly Rule[] = [
  {
    rule: 'only CREATE TABLE, CREATE INDEX ASYNC and ALTER TABLE ADD COLUMN',
    offends: (s) =>
      !/^(CREATE TABLE (IF NOT EXISTS )?\w+ \(|CREATE (UNIQUE )?INDEX |ALTER TABLE \w+ ADD COLUMN )/i.test(
        s,
      ),
  },
  {
    rule: 'indexes are built with CREATE INDEX ASYNC',
    offends: (s) =>
      /^CREATE (UNIQUE )?INDEX\b/i.test(s) && !/^CREATE (UNIQUE )?INDEX ASYNC\b/i.test(s),
  },
  {
    rule: 'no SERIAL, identity or sequence',
    offends: (s) =>
      /\b(SMALLSERIAL|BIGSERIAL|SERIAL[248]?|SEQUENCE|nextval|GENERATED\s+(ALWAYS|BY DEFAULT)\s+AS\s+IDENTITY)\b/i.test(
        s,
      ),
  },
  {
    rule: 'no trigger, function, procedure or PL/pgSQL',
    offends: (s) => /\b(TRIGGER|FUNCTION|PROCEDURE|LANGUAGE|plpgsql)\b|^DO\b/i.test(s),
  },
  { rule: 'no jsonb column', offends: (s) => /\bjsonb\b/i.test(s) },
  { rule: 'no TRUNCATE', offends: (s) => /\bTRUNCATE\b/i.test(s) },
  {
    rule: 'no temporary or unlogged table',
    offends: (s) => /\b(TEMP|TEMPORARY|UNLOGGED)\b/i.test(s),
  },
  { rule: 'no extension', offends: (s) => /\bEXTENSION\b/i.test(s) },
  { rule: 'no foreign key', offends: (s) => /\b(REFERENCES|FOREIGN\s+KEY)\b/i.test(s) },
  {
    // Conservative: DSQL adds bare nullable columns; a default would rewrite every row.
    rule: 'an added column is bare (no DEFAULT, NOT NULL or constraint)',
    offends: (s) =>
      /^ALTER TABLE/i.test(s) && /\b(DEFAULT|NOT NULL|PRIMARY|UNIQUE|CHECK|REFERENCES)\b/i.test(s),
  },
  { rule: 'every table has a UUID primary key (or a listed natural key)', offends: badKey },
];

/** Splits a text at semicolons outside quotes and comments-free SQL; drops empty pieces. */
export function splitStatements(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (char === ';' && !quoted) {
      pieces.push(current);
      current = '';
    } else current += char;
  }
  pieces.push(current);
  return pieces.map((piece) => piece.replace(/\s+/g, ' ').trim()).filter((piece) => piece !== '');
}

/** True when a CREATE TABLE has no primary key, or a key column that is neither uuid nor listed. */
function badKey(sql: string): boolean {
  const table = /^CREATE TABLE (?:IF NOT EXISTS )?(\w+) \((.*)\)$/is.exec(sql);
  if (table === null) return false;
  const [, name = '', body = ''] = table;
  const columns = new Map<string, string>();
  const keys: string[] = [];
  // Top-level commas only: a PRIMARY KEY (a, b) clause holds commas of its own.
  let depth = 0;
  let part = '';
  const parts: string[] = [];
  for (const char of body) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(part.trim());
      part = '';
    } else part += char;
  }
  parts.push(part.trim());
  for (const item of parts) {
    const constraint = /^PRIMARY KEY \(([^)]*)\)$/i.exec(item);
    if (constraint) {
      keys.push(...(constraint[1] ?? '').split(',').map((c) => c.trim()));
      continue;
    }
    const [column = '', type = ''] = item.split(/\s+/);
    columns.set(column, type.toLowerCase());
    if (/\bPRIMARY KEY\b/i.test(item)) keys.push(column);
  }
  if (keys.length === 0) return true;
  return keys.some((key) => columns.get(key) !== 'uuid' && !NATURAL_KEYS.has(`${name}.${key}`));
}

/**
 * The DSQL rules a migration run broke, given what it sent: one DDL statement per
 * transaction and nothing else in it, each DDL statement of a form DSQL accepts, and no
 * runtime statement DSQL refuses (an advisory lock, say). Empty when it broke none.
 */
export function dsqlMigrationViolations(
  units: readonly MigrationUnit[],
): { statement: string; rule: string }[] {
  const found: { statement: string; rule: string }[] = [];
  for (const unit of units) {
    const ddl = unit.statements.filter((s) => DDL.test(s));
    // A text of several statements sent on its own is one implicit transaction too.
    if (ddl.length > 1)
      found.push({ statement: ddl.join('; '), rule: 'one DDL statement per transaction' });
    if (ddl.length > 0 && ddl.length < unit.statements.length)
      found.push({
        statement: unit.statements.join('; '),
        rule: 'no DDL and DML in one transaction',
      });
    for (const statement of unit.statements) {
      const rules = [
        ...dsqlStatementViolations(statement),
        ...(DDL.test(statement)
          ? DDL_RULES.filter((r) => r.offends(statement)).map((r) => r.rule)
          : []),
      ];
      found.push(...rules.map((rule) => ({ statement, rule })));
    }
  }
  return found;
}

/**
 * A DataSource that answers the migration runner as an empty Aurora DSQL database would and
 * records what the runner sends, transaction by transaction: the statements exactly as they are
 * run on the dsql dialect (PostgreSQL cannot run them: it has no `CREATE INDEX ASYNC`).
 */
function recordingDataSource(): { dataSource: DataSource; units: MigrationUnit[] } {
  const units: MigrationUnit[] = [];
  let open: string[] | null = null;
  const runner = {
    connect: () => Promise.resolve(),
    release: () => Promise.resolve(),
    startTransaction: () => {
      open = [];
      return Promise.resolve();
    },
    commitTransaction: () => {
      if (open !== null) units.push({ inTransaction: true, statements: open });
      open = null;
      return Promise.resolve();
    },
    rollbackTransaction: () => {
      open = null;
      return Promise.resolve();
    },
    query: (sql: string) => {
      const statements = splitStatements(sql);
      if (open === null) units.push({ inTransaction: false, statements });
      else open.push(...statements);
      // The ledger is empty: every step is pending.
      return Promise.resolve([]);
    },
  };
  return { dataSource: { createQueryRunner: () => runner } as unknown as DataSource, units };
}

/** What the migration runner sends to an empty Aurora DSQL database to apply `steps`. */
export async function migrationUnitsOnDsql(
  steps: readonly MigrationStep[],
): Promise<MigrationUnit[]> {
  const { dataSource, units } = recordingDataSource();
  await runMigrations(dataSource, 'dsql', steps);
  return units;
}
