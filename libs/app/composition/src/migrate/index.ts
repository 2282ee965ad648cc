import type { MigrationReport } from '@taskflow/platform-postgres';
import { migrateDatabase } from '@taskflow/platform-postgres/migrate';
import { MIGRATION_STEPS, type Persistence } from '../persistence';

/**
 * Applies the pending steps of {@link MIGRATION_STEPS} to the persistence's database. Imported
 * from `@taskflow/app-composition/migrate`, so that only what migrates (the migrator Lambda,
 * the host, test set-ups) loads TypeORM.
 */
export function migrate(persistence: Pick<Persistence, 'db'>): Promise<MigrationReport> {
  return migrateDatabase(persistence.db, MIGRATION_STEPS);
}
