import { count, useTestDatabase } from '@taskflow/platform-postgres/testing';
import { MIGRATION_STEPS } from './persistence';
import { openMigrated } from './testing/persistence.fixture';

const TABLE_STEPS = MIGRATION_STEPS.filter((step) =>
  step.sql('postgres').startsWith('CREATE TABLE '),
);

describe('the migrated schema is portable to Aurora DSQL (live catalog)', () => {
  const persistence = useTestDatabase('pp_migrate_catalog', (url) => openMigrated(url));

  // Each query lists the offenders; a portable schema has none.
  it.each([
    {
      rule: 'no column default draws on a sequence (SERIAL)',
      sql: `SELECT table_name || '.' || column_name AS item FROM information_schema.columns
            WHERE table_schema = 'public' AND column_default ILIKE '%nextval%'`,
    },
    {
      rule: 'no identity column',
      sql: `SELECT table_name || '.' || column_name AS item FROM information_schema.columns
            WHERE table_schema = 'public' AND is_identity = 'YES'`,
    },
    {
      rule: 'no sequence at all',
      sql: `SELECT c.relname AS item FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'S'`,
    },
    {
      rule: 'no foreign key',
      sql: `SELECT c.conrelid::regclass::text || '.' || c.conname AS item FROM pg_constraint c
            JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public' AND c.contype = 'f'`,
    },
    {
      rule: 'no trigger',
      sql: `SELECT t.tgrelid::regclass::text || '.' || t.tgname AS item FROM pg_trigger t
            JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
    },
    {
      rule: 'no jsonb column',
      sql: `SELECT table_name || '.' || column_name AS item FROM information_schema.columns
            WHERE table_schema = 'public' AND udt_name IN ('jsonb', '_jsonb')`,
    },
    {
      rule: 'no function or procedure (PL/pgSQL)',
      sql: `SELECT p.proname AS item FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public'`,
    },
    {
      rule: 'no extension',
      sql: `SELECT extname AS item FROM pg_extension WHERE extname <> 'plpgsql'`,
    },
    {
      rule: 'every table has a primary key',
      sql: `SELECT c.relname AS item FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')`,
    },
    {
      // The ledger is keyed by its step names by design (written by the runner, never by users);
      // processed_events by the inbound events' own ids, which EventBridge does not promise
      // to be UUIDs; ws_connections by API Gateway's connection ids, which are not UUIDs.
      rule: 'every primary key of an application table is a uuid or composite',
      sql: `SELECT k.conrelid::regclass::text AS item FROM pg_constraint k
            JOIN pg_namespace n ON n.oid = k.connamespace
            JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            WHERE n.nspname = 'public' AND k.contype = 'p' AND cardinality(k.conkey) = 1
              AND a.atttypid <> 'uuid'::regtype
              AND k.conrelid NOT IN ('schema_migrations'::regclass, 'processed_events'::regclass,
                                     'ws_connections'::regclass)`,
    },
  ])('$rule', async ({ sql }) => {
    // Act
    const { rows } = await persistence.db.query<{ item: string }>({ text: sql, values: [] });

    // Assess
    expect(rows.map((row) => row.item)).toEqual([]);
  });

  it('creates every table the steps name, and no other', async () => {
    // Prepare
    const expected = [
      'comments',
      'dead_letters',
      'idempotency_keys',
      'outbox',
      'outbox_pending',
      'processed_events',
      'project_members',
      'projects',
      'schema_migrations',
      'task_updates',
      'tasks',
      'users',
      'ws_connections',
    ];

    // Act
    const { rows } = await persistence.db.query<{ name: string }>({
      text: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      values: [],
    });

    // Assess
    expect(rows.map((row) => row.name)).toEqual(expected);
    expect(TABLE_STEPS).toHaveLength(expected.length - 1);
  });

  it('keeps the ledger keyed by step name, its only non-uuid single-column key', async () => {
    // Act
    const keyType = await persistence.db.query<{ type: string }>({
      text: `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_constraint k
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
             WHERE k.conrelid = 'schema_migrations'::regclass AND k.contype = 'p'`,
      values: [],
    });

    // Assess
    expect(keyType.rows).toEqual([{ type: 'text' }]);
  });

  it.each(MIGRATION_STEPS.map((step) => [step.name, step] as const))(
    '%s holds exactly one statement (the server parses it as one prepared statement)',
    async (name, step) => {
      // Act: the extended protocol refuses text holding more than one command.
      const outcome = await persistence.db.query({
        name: `tf_spec_single_${name}`,
        text: step.sql('postgres'),
        values: [],
      });

      // Assess (every step is idempotent, so re-running it changes nothing)
      expect(outcome.rowCount).toBe(0);
      expect(
        await count(persistence.db, 'SELECT count(*) AS n FROM schema_migrations WHERE name = $1', [
          name,
        ]),
      ).toBe(1);
    },
  );
});
