import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  type MigrationStep,
  PLATFORM_MIGRATION_STEPS,
  assembleMigrationSteps,
  tableStep,
} from '@taskflow/platform-postgres';
import { type OverDatabase, openMigrated } from '@taskflow/platform-postgres/testing';
import { UserUseCases } from '@taskflow/users-application';
import { PgUserRepository } from '../pg-user.repository';
import { USERS_MIGRATION_STEPS } from '../users.migration-steps';

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
export type Repositories = OverDatabase<{ readonly users: PgUserRepository }>;

/** Opens the pool on `url` and applies the platform's and the users' steps. */
export function openUsersDatabase(url: string): Promise<Repositories> {
  const steps = assembleMigrationSteps(PLATFORM_MIGRATION_STEPS, USERS_MIGRATION_STEPS, [
    PROJECT_MEMBERS,
  ]);
  return openMigrated(url, steps, (db) => ({ users: new PgUserRepository(db, uuidV7Generator) }));
}

/** The users' use cases over `repositories`. */
export function useCasesOver(repositories: Repositories): { readonly users: UserUseCases } {
  return { users: new UserUseCases(repositories.users, systemClock, uuidV7Generator) };
}
