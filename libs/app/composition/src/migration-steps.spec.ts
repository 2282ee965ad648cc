import { expectDsqlMigration } from '@taskflow/platform-postgres/testing';
import { MIGRATION_STEPS } from './persistence';

const STEP_NAMES = MIGRATION_STEPS.map((step) => step.name);
const INDEX_STEPS = MIGRATION_STEPS.filter((step) =>
  /^CREATE (UNIQUE )?INDEX /.test(step.sql('postgres')),
);
const TABLE_STEPS = MIGRATION_STEPS.filter((step) =>
  step.sql('postgres').startsWith('CREATE TABLE '),
);
const COLUMN_STEPS = MIGRATION_STEPS.filter((step) =>
  /^ALTER TABLE \w+ ADD COLUMN IF NOT EXISTS /.test(step.sql('postgres')),
);

describe('MIGRATION_STEPS', () => {
  it('holds the steps deployed databases have recorded, by those names, in that order', () => {
    // Assess: the names are ledger keys; a renamed or reordered step would run again or never.
    expect(STEP_NAMES).toEqual([
      '0001-create-users',
      '0002-index-users-email',
      '0003-create-projects',
      '0004-create-project-members',
      '0005-index-members-by-user',
      '0006-create-tasks',
      '0007-index-tasks-by-project',
      '0008-index-tasks-by-project-status',
      '0009-index-tasks-by-assignee',
      '0010-create-task-updates',
      '0011-index-task-updates-by-task',
      '0012-create-comments',
      '0013-index-comments-by-task',
      '0014-create-outbox',
      '0015-index-outbox-by-project',
      '0016-create-idempotency-keys',
      '0017-index-idempotency-by-age',
      '0018-create-outbox-pending',
      '0024-outbox-tx',
      '0027-index-outbox-project-stream',
      '0028-create-processed-events',
      '0029-create-dead-letters',
      '0030-index-dead-letters-by-time',
      '0031-create-ws-connections',
      '0032-index-ws-connections-by-project',
      '0033-index-ws-connections-by-expiry',
      '0034-project-members-assignments',
      '0035-ws-connections-region',
      '0036-tasks-rank',
    ]);
  });

  it('has unique names in sortable order', () => {
    // Assess
    expect(new Set(STEP_NAMES).size).toBe(STEP_NAMES.length);
    expect([...STEP_NAMES].sort()).toEqual(STEP_NAMES);
  });

  it.each(INDEX_STEPS.map((step) => [step.name, step] as const))(
    '%s builds its index asynchronously on DSQL',
    (_name, step) => {
      // Act
      const dsql = step.sql('dsql');
      const postgres = step.sql('postgres');

      // Assess
      expect(dsql).toMatch(/^CREATE (UNIQUE )?INDEX ASYNC IF NOT EXISTS \w+ ON \w+ \([\w, ]+\)$/);
      expect(postgres).not.toContain('ASYNC');
    },
  );

  it.each(MIGRATION_STEPS.map((step) => [step.name, step] as const))(
    '%s is one idempotent DDL statement in both dialects',
    (_name, step) => {
      // Act
      const texts = [step.sql('postgres'), step.sql('dsql')];

      // Assess
      for (const text of texts) {
        expect(text.replace(/;\s*$/, '')).not.toContain(';');
        expect(text).toMatch(
          /^(CREATE (TABLE|(UNIQUE )?INDEX( ASYNC)?) IF NOT EXISTS |ALTER TABLE \w+ ADD COLUMN IF NOT EXISTS )/,
        );
        expect(text).not.toMatch(
          /\b(INSERT|UPDATE|DELETE|TRIGGER|FUNCTION|SERIAL|REFERENCES|jsonb)\b/i,
        );
      }
    },
  );

  it('holds only table, column and index steps', () => {
    // Assess
    expect(INDEX_STEPS.length + TABLE_STEPS.length + COLUMN_STEPS.length).toBe(
      MIGRATION_STEPS.length,
    );
    expect(INDEX_STEPS.length).toBeGreaterThan(0);
  });

  it('keeps Aurora DSQL’s rules in every statement the runner sends on the dsql dialect', async () => {
    // Act, Assess
    await expectDsqlMigration(MIGRATION_STEPS);
  });
});
