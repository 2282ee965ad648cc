import { type Clock, systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  type Database,
  PLATFORM_MIGRATION_STEPS,
  assembleMigrationSteps,
} from '@taskflow/platform-postgres';
import {
  type OverDatabase,
  as,
  openMigrated,
  token,
  useTestDatabaseWith,
} from '@taskflow/platform-postgres/testing';
import { ProjectUseCases } from '@taskflow/projects-application';
import { PgUserRepository, USERS_MIGRATION_STEPS } from '@taskflow/users-adapters';
import { UserUseCases } from '@taskflow/users-application';
import { PgProjectRepository } from '../pg-project.repository';
import { PROJECTS_MIGRATION_STEPS } from '../projects.migration-steps';

/**
 * The projects context's integration fixture (`@taskflow/projects-adapters/testing`, for specs
 * only): its repository and the users one its members come from, their use cases, and actors
 * made through them. The tasks context's fixture builds on it.
 */

/** The users and projects repositories over `db`. */
export function projectRepositoriesOver(db: Database) {
  return {
    users: new PgUserRepository(db, uuidV7Generator),
    projects: new PgProjectRepository(db, uuidV7Generator),
  };
}

/** The repositories over one pool. */
export type Repositories = OverDatabase<ReturnType<typeof projectRepositoriesOver>>;

/** The tables a project's write touches: the platform's, the users' and the projects' own. */
export const PROJECTS_SCHEMA_STEPS = assembleMigrationSteps(
  PLATFORM_MIGRATION_STEPS,
  USERS_MIGRATION_STEPS,
  PROJECTS_MIGRATION_STEPS,
);

/** Opens the pool on `url` and applies {@link PROJECTS_SCHEMA_STEPS}. */
export function openProjectsDatabase(url: string): Promise<Repositories> {
  return openMigrated(url, PROJECTS_SCHEMA_STEPS, projectRepositoriesOver);
}

/** The real use cases of users and projects, wired over the repositories as the host wires them. */
export interface UseCases {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
}

/** Builds the use cases over `repositories`. */
export function useCasesOver(
  repositories: ReturnType<typeof projectRepositoriesOver>,
  clock: Clock = systemClock,
): UseCases {
  return {
    users: new UserUseCases(repositories.users, clock, uuidV7Generator),
    projects: new ProjectUseCases(
      repositories.projects,
      repositories.users,
      clock,
      uuidV7Generator,
    ),
  };
}

/** A test database for the enclosing `describe`, with the use cases over it. */
export function useProjectsDatabase(prefix: string): { store: Repositories; app: UseCases } {
  return useTestDatabaseWith(prefix, openProjectsDatabase, (store) => useCasesOver(store));
}

/** Signs a new user up through the use case (as sign-in does); returns its id. */
export async function registerUser(useCases: UseCases, name = 'Someone'): Promise<string> {
  const email = `${name.replace(/\W/g, '').toLowerCase()}.${token()}@example.com`;
  const user = await useCases.users.ensureByEmail({ name, email }, 'fixture');
  return user.id;
}

/** An owner with a fresh project; returns both ids. */
export async function ownerWithProject(
  useCases: UseCases,
  name = 'Project',
): Promise<{ ownerId: string; projectId: string }> {
  const ownerId = await registerUser(useCases, 'Owner');
  const project = await useCases.projects.create({ name }, as(ownerId));
  return { ownerId, projectId: project.id };
}
