import { Database } from '../database';
import type { DatabaseConfig } from '../database.config';
import { migrateDatabase } from '../migrate';
import type { MigrationStep } from '../migrations/migration-steps';

/** Something a spec opens over a test database and closes after it. */
export interface Closable {
  close(): Promise<void>;
}

/** What {@link openMigrated} returns: what `build` made, the pool it made it over, and `close`. */
export type OverDatabase<T> = T & { readonly db: Database } & Closable;

/** Adapter settings for a local test server. */
export function testDatabaseConfig(
  url: string,
  overrides: Partial<DatabaseConfig> = {},
): DatabaseConfig {
  return {
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-int-spec',
    dialect: 'postgres',
    ...overrides,
  };
}

/** Runs `migrate` over what was just opened; closes it when that fails, so no pool outlives a spec. */
export async function migratedOrClosed<T extends Closable>(
  opened: T,
  migrate: (opened: T) => Promise<unknown>,
): Promise<T> {
  try {
    await migrate(opened);
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

/** Opens a pool with `config` and builds over it: `build` returns a record of what it made. */
export async function openOver<T extends object>(
  config: DatabaseConfig,
  build: (db: Database) => T,
): Promise<OverDatabase<T>> {
  const db = await Database.connect(config);
  return { ...build(db), db, close: () => db.close() };
}

/**
 * Opens the pool on `url`, builds over it, and applies `steps` (with the postgres dialect).
 *
 * On the `dsql` dialect the pool then runs the dsql code paths over PostgreSQL: the database's
 * sessions default to REPEATABLE READ, PostgreSQL's snapshot isolation, under which two
 * transactions writing one row end with one of them aborted with 40001, as on DSQL (the
 * postgres-dialect pools force READ COMMITTED per session and are unaffected).
 */
export async function openMigrated<T extends object>(
  url: string,
  steps: readonly MigrationStep[],
  build: (db: Database) => T,
  dialect: DatabaseConfig['dialect'] = 'postgres',
): Promise<OverDatabase<T>> {
  const migrate = ({ db }: OverDatabase<unknown>) => migrateDatabase(db, steps);
  if (dialect === 'postgres')
    return migratedOrClosed(await openOver(testDatabaseConfig(url), build), migrate);
  const setup = await migratedOrClosed(
    await openOver(testDatabaseConfig(url), () => ({})),
    migrate,
  );
  try {
    const name = new URL(url).pathname.slice(1);
    await setup.db.query({
      text: `ALTER DATABASE "${name.replace(/"/g, '""')}" SET default_transaction_isolation = 'repeatable read'`,
      values: [],
    });
  } finally {
    await setup.close();
  }
  return openOver(testDatabaseConfig(url, { dialect }), build);
}
