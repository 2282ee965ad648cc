import { type Clock, systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  type Database,
  type DatabaseConfig,
  assembleMigrationSteps,
} from '@taskflow/platform-postgres';
import {
  type OverDatabase,
  as,
  openMigrated,
  useTestDatabaseWith,
} from '@taskflow/platform-postgres/testing';
import {
  PROJECTS_SCHEMA_STEPS,
  type UseCases as ProjectsUseCases,
  ownerWithProject,
  projectRepositoriesOver,
  registerUser,
  useCasesOver as projectsUseCasesOver,
} from '@taskflow/projects-adapters/testing';
import { TaskUseCases } from '@taskflow/tasks-application';
import { PgCommentRepository } from '../pg-comment.repository';
import { PgTaskRepository } from '../pg-task.repository';
import { TASKS_MIGRATION_STEPS } from '../tasks.migration-steps';

/**
 * The tasks context's integration fixture (`@taskflow/tasks-adapters/testing`, for specs only):
 * the repositories a task's write touches (a task belongs to a project and has members as
 * assignees), their use cases, and raw-SQL probes of the tasks' own tables. The composition's and
 * the inbound processor's fixtures build on it.
 */
export { ownerWithProject, registerUser } from '@taskflow/projects-adapters/testing';

/** Every table a task's write touches: the platform's (outbox) and each context's. */
export const TASKS_SCHEMA_STEPS = assembleMigrationSteps(
  PROJECTS_SCHEMA_STEPS,
  TASKS_MIGRATION_STEPS,
);

/** The repositories of users, projects, tasks and comments over `db`. */
export function taskRepositoriesOver(db: Database) {
  return {
    ...projectRepositoriesOver(db),
    tasks: new PgTaskRepository(db, uuidV7Generator),
    comments: new PgCommentRepository(db, uuidV7Generator),
  };
}

/** The repositories over one pool. */
export type Repositories = OverDatabase<ReturnType<typeof taskRepositoriesOver>>;

/** Opens the pool on `url` with `dialect` and applies every migration step. */
export function openTasksDatabase(
  url: string,
  dialect: DatabaseConfig['dialect'] = 'postgres',
): Promise<Repositories> {
  return openMigrated(url, TASKS_SCHEMA_STEPS, taskRepositoriesOver, dialect);
}

/** The real use cases of every context, wired over the repositories as the host wires them. */
export interface UseCases extends ProjectsUseCases {
  readonly tasks: TaskUseCases;
}

/** Builds the use cases over `repositories` (the composition's persistence has them all). */
export function useCasesOver(
  repositories: ReturnType<typeof taskRepositoriesOver>,
  clock: Clock = systemClock,
): UseCases {
  const { tasks, comments, projects } = repositories;
  return {
    ...projectsUseCasesOver(repositories, clock),
    tasks: new TaskUseCases(tasks, comments, projects, clock, uuidV7Generator),
  };
}

/** A test database for the enclosing `describe` on `dialect`, with the use cases over it. */
export function useTasksDatabase(
  prefix: string,
  dialect: DatabaseConfig['dialect'] = 'postgres',
): { store: Repositories; app: UseCases } {
  return useTestDatabaseWith(
    prefix,
    (url) => openTasksDatabase(url, dialect),
    (store) => useCasesOver(store),
  );
}

/** The owner and project of `useOwnerWithProject`, and tasks made in it. */
export interface OwnerWithProject {
  readonly ownerId: string;
  readonly projectId: string;
  /** Creates a task titled `title` in the project, as its owner, through the use cases. */
  createTask(title: string): ReturnType<TaskUseCases['create']>;
}

/**
 * An owner and their project (`ownerWithProject`), made through `app` before all tests of the
 * enclosing `describe`.
 *
 * @returns their ids, readable in hooks and tests once that `beforeAll` ran
 */
export function useOwnerWithProject(app: UseCases, name?: string): OwnerWithProject {
  let made: { ownerId: string; projectId: string } | undefined;
  beforeAll(async () => {
    made = await ownerWithProject(app, name);
  });
  const ids = () => {
    if (made === undefined) throw new Error('the owner and project are used before beforeAll ran');
    return made;
  };
  return {
    get ownerId() {
      return ids().ownerId;
    },
    get projectId() {
      return ids().projectId;
    },
    createTask: (title) =>
      app.tasks.create({ projectId: ids().projectId, title }, as(ids().ownerId)),
  };
}

/** A project with a member holding `n` tasks, created by its owner through the use cases. */
export async function memberWithTasks(app: UseCases, n: number, name: string) {
  const { ownerId, projectId } = await ownerWithProject(app);
  const memberId = await registerUser(app, name);
  await app.projects.addMember({ projectId, userId: memberId, role: 'editor' }, as(ownerId));
  const taskIds: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const task = await app.tasks.create(
      { projectId, title: `task ${String(i)}`, assigneeId: memberId },
      as(ownerId),
    );
    taskIds.push(task.id);
  }
  return { ownerId, projectId, memberId, taskIds };
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
