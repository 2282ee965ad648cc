import { type TestDatabase, createTestDatabase } from '@taskflow/platform-testing';
import { Database } from '../database';
import { testDatabaseConfig, useTestDatabase } from '../testing';
import { migrateDatabase } from '../migrate';
import { PLATFORM_MIGRATION_STEPS } from './migration-steps';

// The platform's own steps; the whole schema's (every context's) is checked in the composition.
const STEPS = PLATFORM_MIGRATION_STEPS;
const STEP_NAMES = STEPS.map((step) => step.name);

async function ledgerNames(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>({
    text: 'SELECT name FROM schema_migrations ORDER BY name',
    values: [],
  });
  return rows.map((row) => row.name);
}

describe('migrateDatabase (runMigrations through TypeORM)', () => {
  describe('on a fresh database', () => {
    const db = useTestDatabase('pp_migrate_fresh', (url) =>
      Database.connect(testDatabaseConfig(url)),
    );

    it('applies every step in order, then none on the second run', async () => {
      // Act
      const first = await migrateDatabase(db, STEPS);
      const second = await migrateDatabase(db, STEPS);

      // Assess
      expect(first).toEqual({ applied: STEP_NAMES, alreadyApplied: 0 });
      expect(second).toEqual({ applied: [], alreadyApplied: STEP_NAMES.length });
      expect(await ledgerNames(db)).toEqual([...STEP_NAMES].sort());
    });

    it('re-applies a step whose ledger row was lost (a crash between DDL and ledger) without error', async () => {
      // Prepare
      await migrateDatabase(db, STEPS);
      const lost = '0015-index-outbox-by-project';
      await db.query({ text: 'DELETE FROM schema_migrations WHERE name = $1', values: [lost] });

      // Act
      const report = await migrateDatabase(db, STEPS);

      // Assess
      expect(report).toEqual({ applied: [lost], alreadyApplied: STEP_NAMES.length - 1 });
      expect(await ledgerNames(db)).toEqual([...STEP_NAMES].sort());
    });
  });

  describe('two concurrent runs on one database', () => {
    let database: TestDatabase;
    let hosts: Database[];

    beforeAll(async () => {
      database = await createTestDatabase('pp_migrate_race');
      // Two pools stand for two hosts (or Lambdas) starting at the same time.
      hosts = await Promise.all([
        Database.connect(testDatabaseConfig(database.url)),
        Database.connect(testDatabaseConfig(database.url)),
      ]);
    });

    afterAll(async () => {
      await Promise.all(hosts.map((host) => host.close()));
      await database.drop();
    });

    it('both succeed and the ledger holds each step exactly once', async () => {
      // Act
      const reports = await Promise.all(hosts.map((host) => migrateDatabase(host, STEPS)));

      // Assess
      const applied = reports.flatMap((report) => report.applied);
      expect([...applied].sort()).toEqual([...STEP_NAMES].sort());
      const [host] = hosts;
      if (host === undefined) throw new Error('no host');
      const { rows } = await host.query<{ name: string; n: number }>({
        text: 'SELECT name, count(*) AS n FROM schema_migrations GROUP BY name ORDER BY name',
        values: [],
      });
      expect(rows).toEqual([...STEP_NAMES].sort().map((name) => ({ name, n: 1 })));
    });
  });
});
