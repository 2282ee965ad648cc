import { dsqlMigrationViolations, migrationUnitsOnDsql } from '../dsql-rules';
import { expectDsqlMigration } from '../testing/dsql-migration';
import { PLATFORM_MIGRATION_STEPS, type MigrationStep } from './migration-steps';

const step = (sql: string): MigrationStep => ({ name: '9999-violating', sql: () => sql });

describe('the migration statements, as run on the dsql dialect, against Aurora DSQL’s rules', () => {
  it('every statement of every platform step keeps them', async () => {
    // Act, Assess
    const ddl = await expectDsqlMigration(PLATFORM_MIGRATION_STEPS);
    expect(
      ddl.filter((unit) => /^CREATE (UNIQUE )?INDEX ASYNC /.test(unit.statements[0] ?? '')),
    ).not.toHaveLength(0);
  });

  // Each of these, added as a step, must make the check above fail.
  it.each([
    {
      rule: 'indexes are built with CREATE INDEX ASYNC',
      sql: 'CREATE INDEX IF NOT EXISTS tasks_title_idx ON tasks (title)',
    },
    {
      rule: 'no SERIAL, identity or sequence',
      sql: 'CREATE TABLE IF NOT EXISTS audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL)',
    },
    {
      rule: 'no SERIAL, identity or sequence',
      sql: 'CREATE TABLE IF NOT EXISTS audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY)',
    },
    { rule: 'no SERIAL, identity or sequence', sql: 'CREATE SEQUENCE IF NOT EXISTS audit_seq' },
    {
      rule: 'no trigger, function, procedure or PL/pgSQL',
      sql: 'CREATE TRIGGER tasks_touch BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION touch()',
    },
    {
      rule: 'no trigger, function, procedure or PL/pgSQL',
      sql: "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
    },
    {
      rule: 'no jsonb column',
      sql: 'ALTER TABLE tasks ADD COLUMN IF NOT EXISTS extra jsonb',
    },
    { rule: 'no TRUNCATE', sql: 'TRUNCATE outbox_pending' },
    {
      rule: 'no temporary or unlogged table',
      sql: 'CREATE TEMPORARY TABLE IF NOT EXISTS scratch (id uuid PRIMARY KEY)',
    },
    { rule: 'no extension', sql: 'CREATE EXTENSION IF NOT EXISTS pgcrypto' },
    {
      rule: 'no foreign key',
      sql: 'CREATE TABLE IF NOT EXISTS notes (id uuid PRIMARY KEY, task_id uuid REFERENCES tasks (id))',
    },
    {
      rule: 'every table has a UUID primary key (or a listed natural key)',
      sql: 'CREATE TABLE IF NOT EXISTS counters (id bigint PRIMARY KEY, n integer NOT NULL)',
    },
    {
      rule: 'every table has a UUID primary key (or a listed natural key)',
      sql: 'CREATE TABLE IF NOT EXISTS loose (id uuid, n integer NOT NULL)',
    },
    {
      rule: 'an added column is bare (no DEFAULT, NOT NULL or constraint)',
      sql: "ALTER TABLE tasks ADD COLUMN IF NOT EXISTS colour text NOT NULL DEFAULT 'red'",
    },
    {
      rule: 'one DDL statement per transaction',
      sql: 'CREATE TABLE IF NOT EXISTS a (id uuid PRIMARY KEY); CREATE INDEX ASYNC IF NOT EXISTS a_idx ON a (id)',
    },
    {
      rule: 'no DDL and DML in one transaction',
      sql: "ALTER TABLE tasks ADD COLUMN IF NOT EXISTS colour text; UPDATE tasks SET colour = 'red'",
    },
    {
      rule: 'only CREATE TABLE, CREATE INDEX ASYNC and ALTER TABLE ADD COLUMN',
      sql: 'DROP TABLE IF EXISTS comments',
    },
  ])('flags a step that breaks “$rule”: $sql', async ({ rule, sql }) => {
    // Act
    const units = await migrationUnitsOnDsql([...PLATFORM_MIGRATION_STEPS, step(sql)]);

    // Assess
    expect(dsqlMigrationViolations(units).map((v) => v.rule)).toContain(rule);
  });
});
