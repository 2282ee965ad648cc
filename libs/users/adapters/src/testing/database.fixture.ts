import { randomBytes } from 'node:crypto';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  Database,
  type MigrationStep,
  PLATFORM_MIGRATION_STEPS,
  assembleMigrationSteps,
  runMigrations,
  tableStep,
} from '@taskflow/platform-postgres';
import { UserUseCases } from '@taskflow/users-application';
import { PgUserRepository } from '../pg-user.repository';
import { USERS_MIGRATION_STEPS } from '../users.migration-steps';

/**
 * Shared set-up of the library's integration specs (not exported from the library): the users
 * repository over a migrated test database, the real use cases over it, and raw-SQL probes that
 * read what the repository wrote without going through it.
 */

/**
 * Who sees whom is decided by project membership: the repository reads `project_members`, a
 * table of the projects context, which stands above this library. The specs create the columns
 * it reads (under the projects step's own name and definition) and write membership rows by hand.
 */
const PROJECT_MEMBERS: MigrationStep = tableStep(
  '0004-create-project-members',
  `CREATE TABLE IF NOT EXISTS project_members (
      project_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      added_at timestamptz NOT NULL,
      PRIMARY KEY (project_id, user_id)
    )`,
);

/** The users repository over one pool. */
export interface Repositories {
  readonly db: Database;
  readonly users: PgUserRepository;
  close(): Promise<void>;
}

/** Opens the pool on `url` and applies the platform's and the users' steps. */
export async function openMigrated(url: string): Promise<Repositories> {
  const db = await Database.connect({
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-users-int-spec',
    dialect: 'postgres',
  });
  try {
    const steps = assembleMigrationSteps(PLATFORM_MIGRATION_STEPS, USERS_MIGRATION_STEPS, [
      PROJECT_MEMBERS,
    ]);
    await runMigrations(db.dataSource, 'postgres', steps);
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, users: new PgUserRepository(db, uuidV7Generator), close: () => db.close() };
}

/** The users' use cases over `repositories`. */
export function useCasesOver(repositories: Repositories): { readonly users: UserUseCases } {
  return { users: new UserUseCases(repositories.users, systemClock, uuidV7Generator) };
}

/** A short random token that keeps names and e-mails of one test apart from the others. */
export function token(): string {
  return randomBytes(4).toString('hex');
}

/** Counts rows with a raw query (`SELECT count(*) AS n ...`), outside any repository. */
export async function count(
  db: Database,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}
