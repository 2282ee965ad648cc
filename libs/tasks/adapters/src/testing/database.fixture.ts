import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@taskflow/platform-ports';
import { type IdGenerator, systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  Database,
  type DatabaseConfig,
  PLATFORM_MIGRATION_STEPS,
  assembleMigrationSteps,
  runMigrations,
} from '@taskflow/platform-postgres';
import { PROJECTS_MIGRATION_STEPS, PgProjectRepository } from '@taskflow/projects-adapters';
import { ProjectUseCases } from '@taskflow/projects-application';
import { TaskUseCases } from '@taskflow/tasks-application';
import { PgUserRepository, USERS_MIGRATION_STEPS } from '@taskflow/users-adapters';
import { UserUseCases } from '@taskflow/users-application';
import { PgCommentRepository } from '../pg-comment.repository';
import { PgTaskRepository } from '../pg-task.repository';
import { TASKS_MIGRATION_STEPS } from '../tasks.migration-steps';

/**
 * Shared set-up of the library's integration specs (not exported from the library): the schema
 * migrated on a test database, the repositories of tasks and of the contexts it stands on (a
 * task belongs to a project, has members' assignees) over it, their real use cases, and raw-SQL
 * probes that read what the repositories wrote without going through them.
 */

/** Every table a task's write touches: the platform's (outbox) and each context's. */
const STEPS = assembleMigrationSteps(
  PLATFORM_MIGRATION_STEPS,
  USERS_MIGRATION_STEPS,
  PROJECTS_MIGRATION_STEPS,
  TASKS_MIGRATION_STEPS,
);

function testConfig(url: string, overrides: Partial<DatabaseConfig> = {}): DatabaseConfig {
  return {
    url,
    poolSize: 10,
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 10_000,
    queryTimeoutMs: 0,
    ssl: 'disable',
    applicationName: 'taskflow-tasks-int-spec',
    dialect: 'postgres',
    ...overrides,
  };
}

/** The repositories over one pool. */
export interface Repositories {
  readonly db: Database;
  readonly users: PgUserRepository;
  readonly projects: PgProjectRepository;
  readonly tasks: PgTaskRepository;
  readonly comments: PgCommentRepository;
  close(): Promise<void>;
}

async function openRepositories(config: DatabaseConfig, ids: IdGenerator): Promise<Repositories> {
  const db = await Database.connect(config);
  return {
    db,
    users: new PgUserRepository(db, ids),
    projects: new PgProjectRepository(db, ids),
    tasks: new PgTaskRepository(db, ids),
    comments: new PgCommentRepository(db, ids),
    close: () => db.close(),
  };
}

/** Opens the pool on `url` and applies every migration step. */
export async function openMigrated(
  url: string,
  ids: IdGenerator = uuidV7Generator,
): Promise<Repositories> {
  const repositories = await openRepositories(testConfig(url), ids);
  try {
    await runMigrations(repositories.db.dataSource, 'postgres', STEPS);
  } catch (error) {
    await repositories.close();
    throw error;
  }
  return repositories;
}

/**
 * The dsql dialect's code paths over a test database on PostgreSQL. The schema is applied with
 * the postgres dialect (PostgreSQL has no `CREATE INDEX ASYNC`); then the database's sessions
 * default to REPEATABLE READ, PostgreSQL's snapshot isolation, under which two transactions
 * writing one row end with one of them aborted with 40001, as on DSQL (PostgreSQL makes the
 * second writer wait for the first before aborting it; DSQL aborts it at commit: the outcome is
 * the same). The postgres-dialect pools force READ COMMITTED per session and are unaffected.
 *
 * @returns the dsql-dialect repositories; closing them leaves the database to its owner.
 */
export async function openDsqlDialect(
  url: string,
  ids: IdGenerator = uuidV7Generator,
): Promise<Repositories> {
  const setup = await openMigrated(url);
  try {
    const name = new URL(url).pathname.slice(1);
    await setup.db.query({
      text: `ALTER DATABASE "${name.replace(/"/g, '""')}" SET default_transaction_isolation = 'repeatable read'`,
      values: [],
    });
  } finally {
    await setup.close();
  }
  return openRepositories(testConfig(url, { dialect: 'dsql' }), ids);
}

/** The real use cases of every context, wired over the repositories as the host wires them. */
export interface UseCases {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
}

/** Builds the use cases over `repositories`. */
export function useCasesOver(repositories: Repositories): UseCases {
  const { users, projects, tasks, comments } = repositories;
  return {
    users: new UserUseCases(users, systemClock, uuidV7Generator),
    projects: new ProjectUseCases(projects, users, systemClock, uuidV7Generator),
    tasks: new TaskUseCases(tasks, comments, projects, systemClock, uuidV7Generator),
  };
}

/** A short random token that keeps names and e-mails of one test apart from the others. */
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

/** One stored outbox row. */
export interface OutboxRow {
  readonly id: string;
  readonly type: string;
  readonly schema_version: number;
  readonly aggregate_id: string;
  readonly aggregate_version: number;
  readonly project_id: string | null;
  readonly actor_id: string | null;
  readonly correlation_id: string | null;
  readonly occurred_at: Date;
  readonly payload: string;
}

/** Outbox rows of one aggregate, in the order they were written. */
export async function outboxOf(db: Database, aggregateId: string): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxRow>({
    text: 'SELECT * FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version, id',
    values: [aggregateId],
  });
  return rows;
}

/** One stored task_updates row. */
export interface AuditRow {
  readonly task_id: string;
  readonly version: number;
  readonly field: string;
  readonly old_value: string | null;
  readonly new_value: string | null;
  readonly actor_id: string | null;
}

/** Audit rows of one task, by version. */
export async function auditOf(db: Database, taskId: string): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>({
    text: 'SELECT task_id, version, field, old_value, new_value, actor_id FROM task_updates WHERE task_id = $1 ORDER BY version, field',
    values: [taskId],
  });
  return rows;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolver, to hold a transaction open until a test lets it go. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve: (value) => resolve(value) };
}
