import type { DataSource, QueryRunner } from 'typeorm';
import type { Dialect, MigrationStep } from './migration-steps';

/** What a migration run did. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  name text PRIMARY KEY,
  applied_at timestamptz NOT NULL
)`;

// Any constant works; it only has to be the same in every process that migrates this database.
const ADVISORY_LOCK_KEY = 7_314_159_265;

/**
 * Applies the pending ones of `steps` in the order given (`assembleMigrationSteps` makes it),
 * each DDL statement in its own transaction and its ledger row in another (DSQL forbids mixing
 * them; steps are idempotent, so a crash in between is harmless). TypeORM's own runner is not used: its ledger table has a SERIAL key and it
 * mixes DDL and DML in one transaction, neither of which Aurora DSQL accepts. On PostgreSQL a
 * session advisory lock makes concurrent starts (several hosts, several Lambdas) take turns.
 */
export async function runMigrations(
  dataSource: DataSource,
  dialect: Dialect,
  steps: readonly MigrationStep[],
): Promise<MigrationReport> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (dialect === 'postgres')
      await runner.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    try {
      await inOwnTransaction(runner, LEDGER_DDL);
      const done = new Set(
        ((await runner.query('SELECT name FROM schema_migrations')) as { name: string }[]).map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const step of steps) {
        if (done.has(step.name)) continue;
        await inOwnTransaction(runner, step.sql(dialect));
        await runner.query(
          'INSERT INTO schema_migrations (name, applied_at) VALUES ($1, now()) ON CONFLICT (name) DO NOTHING',
          [step.name],
        );
        applied.push(step.name);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      if (dialect === 'postgres')
        await runner.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

async function inOwnTransaction(runner: QueryRunner, sql: string): Promise<void> {
  await runner.startTransaction();
  try {
    await runner.query(sql);
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}
