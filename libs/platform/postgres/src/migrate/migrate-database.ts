import { DataSource } from 'typeorm';
import { type Database, poolConnectionSettings } from '../database';
import type { MigrationReport } from '../migrations/migration-runner';
import { runMigrations } from '../migrations/migration-runner';
import type { MigrationStep } from '../migrations/migration-steps';
import { poolDriver } from '../pool-credentials';

/**
 * Applies the pending ones of `steps` to `db`'s database through TypeORM, on a connection of
 * their own opened with the pool's settings (credentials re-read on a refusal included) and
 * closed afterwards. A closed `db` refuses, as its statements do.
 *
 * In a module of its own (`@taskflow/platform-postgres/migrate`): TypeORM is only loaded, and
 * only bundled, where a schema is migrated (the migrator Lambda, the host), not in the request
 * path.
 */
export async function migrateDatabase(
  db: Pick<Database, 'config' | 'closed'>,
  steps: readonly MigrationStep[],
): Promise<MigrationReport> {
  if (db.closed) throw new Error('the database pool is closed: cannot migrate');
  const { config } = db;
  const dataSource = new DataSource({
    type: 'postgres',
    // Bundles cannot see TypeORM's dynamic require of the driver (STACK.md trap 1).
    driver: poolDriver(config),
    url: config.url,
    poolSize: 1,
    applicationName: config.applicationName,
    installExtensions: false,
    extra: poolConnectionSettings(config),
    synchronize: false,
    migrationsRun: false,
    entities: [],
  });
  await dataSource.initialize();
  try {
    return await runMigrations(dataSource, config.dialect, steps);
  } finally {
    await dataSource.destroy();
  }
}
