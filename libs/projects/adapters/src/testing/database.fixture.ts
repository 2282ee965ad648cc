import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@taskflow/platform-ports';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  Database,
  PLATFORM_MIGRATION_STEPS,
  assembleMigrationSteps,
  runMigrations,
} from '@taskflow/platform-postgres';
import { ProjectUseCases } from '@taskflow/projects-application';
import { PgUserRepository, USERS_MIGRATION_STEPS } from '@taskflow/users-adapters';
import { UserUseCases } from '@taskflow/users-application';
import { PgProjectRepository } from '../pg-project.repository';
import { PROJECTS_MIGRATION_STEPS } from '../projects.migration-steps';

/**
 * Shared set-up of the library's integration specs (not exported from the library): the
 * projects repository and the users one its members come from, over a migrated test database,
 * their real use cases, and raw-SQL probes that read what the repositories wrote without going
 * through them.
 */

/** The repositories over one pool. */
export interface Repositories {
  readonly db: Database;
  readonly users: PgUserRepository;
  readonly projects: PgProjectRepository;
  close(): Promise<void>;
}

/** Opens the pool on `url` and applies the platform's, the users' and the projects' steps. */
export async function openMigrated(url: string): Promise<Repositories> {
  const db = await Database.connect({
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-projects-int-spec',
    dialect: 'postgres',
  });
  try {
    const steps = assembleMigrationSteps(
      PLATFORM_MIGRATION_STEPS,
      USERS_MIGRATION_STEPS,
      PROJECTS_MIGRATION_STEPS,
    );
    await runMigrations(db.dataSource, 'postgres', steps);
  } catch (error) {
    await db.close();
    throw error;
  }
  return {
    db,
    users: new PgUserRepository(db, uuidV7Generator),
    projects: new PgProjectRepository(db, uuidV7Generator),
    close: () => db.close(),
  };
}

/** The real use cases of users and projects, wired over the repositories as the host wires them. */
export interface UseCases {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
}

/** Builds the use cases over `repositories`. */
export function useCasesOver(repositories: Repositories): UseCases {
  return {
    users: new UserUseCases(repositories.users, systemClock, uuidV7Generator),
    projects: new ProjectUseCases(
      repositories.projects,
      repositories.users,
      systemClock,
      uuidV7Generator,
    ),
  };
}

function token(): string {
  return randomBytes(4).toString('hex');
}

/** The context of a request by `actorId`. */
export function as(
  actorId: string,
  correlationId: string | null = `corr-${token()}`,
): RequestContext {
  return { actorId, correlationId };
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

/** Counts rows with a raw query (`SELECT count(*) AS n ...`), outside any repository. */
export async function count(
  db: Database,
  text: string,
  values: readonly unknown[] = [],
): Promise<number> {
  const { rows } = await db.query<{ n: number }>({ text, values });
  return rows[0]?.n ?? 0;
}
