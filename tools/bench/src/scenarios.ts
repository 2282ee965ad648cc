import { randomUUID } from 'node:crypto';
import { type Statement, encodeCursor } from '@taskflow/platform-postgres';
import { projectAccessStatement } from '@taskflow/projects-adapters';
import {
  type TaskRow,
  taskByIdStatement,
  taskInsertStatement,
  taskListStatement,
} from '@taskflow/tasks-adapters';
import { ProjectAccess } from '@taskflow/projects-domain';
import { type IdGenerator, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  Task,
  type TaskPriority,
  type TaskSnapshot,
  type TaskStatus,
} from '@taskflow/tasks-domain';
import type { Pool, QueryConfig } from 'pg';
import type { HttpCall } from './http-load';

/**
 * One thing to measure, done two ways: over HTTP against the host, and directly with `pg` on a
 * pool of the same size (no HTTP, no framework), issuing the very statements the host's
 * repositories issue for it, built by the same functions.
 */
export interface Scenario {
  readonly name: string;
  readonly expectedStatus: number;
  /** The next HTTP request. */
  readonly http: () => HttpCall;
  /** The same work straight against PostgreSQL; true when it found what the host would answer. */
  readonly direct: (pool: Pool) => Promise<boolean>;
  /**
   * The least host ÷ direct-baseline throughput ratio the issue sets, if any (issue 10: same-run
   * ratios; the absolute p99 targets of issue 2 were out of reach of the baseline itself here).
   */
  readonly ratioTarget: number | null;
  /** A statement worth showing the plan of (the first page of a list). */
  readonly explain?: Statement;
  /** A diagnostic variant: printed, but held to no target. */
  readonly diagnostic?: boolean;
}

const PRIORITIES: readonly TaskPriority[] = ['low', 'medium', 'high', 'urgent'];

/** The body of the n-th created task: realistic size, varying title and priority. */
export function createTaskInput(n: number, projectId: string) {
  return {
    projectId,
    title: `Benchmark task #${n}: review the write path under load`,
    description: 'Created by npm run bench:api to measure POST /tasks end to end.',
    priority: PRIORITIES[n % PRIORITIES.length] ?? 'medium',
    labels: ['backend', 'perf'],
  };
}

/** A statement as `Database.query` hands it to the pool: named (prepared) when it has a name. */
function toQuery(statement: Statement): QueryConfig {
  return {
    ...(statement.name === undefined ? {} : { name: statement.name }),
    text: statement.text,
    values: [...statement.values],
  };
}

/** `PgProjectRepository.accessFor`, done with pg. */
async function accessFor(
  pool: Pool,
  projectId: string,
  userIds: readonly string[],
): Promise<ProjectAccess | null> {
  const { rows } = await pool.query<{
    user_id: string | null;
    role: 'owner' | 'editor' | 'viewer' | null;
  }>(toQuery(projectAccessStatement(projectId, userIds)));
  if (rows.length === 0) return null;
  const roles = new Map<string, 'owner' | 'editor' | 'viewer'>();
  for (const row of rows)
    if (row.user_id !== null && row.role !== null) roles.set(row.user_id, row.role);
  return ProjectAccess.of(projectId, roles);
}

/**
 * The direct path of the n-th create: `TaskUseCases.create` without HTTP or framework. It
 * creates the `Task` as the use case does, with the access it presumes, and runs the one CTE
 * statement built by `taskInsertStatement` that confirms that access, then wakes live streams
 * with `wake` as the host does after a commit (without it, only a diagnostic). Returns the
 * snapshot the API would answer, or null when the write was refused.
 */
export async function createTaskDirectly(
  pool: Pool,
  userId: string,
  projectId: string,
  n: number,
  wake?: (projectIds: readonly string[]) => void,
): Promise<TaskSnapshot | null> {
  const task = newTask(
    ProjectAccess.presumed(projectId, userId),
    userId,
    projectId,
    n,
    uuidV7Generator,
  );
  // The repository's own statement.
  const { rows } = await pool.query<{ matched: string }>(
    toQuery(
      taskInsertStatement(task, { correlationId: randomUUID() }, uuidV7Generator, {
        confirmAccess: true,
      }),
    ),
  );
  if (Number(rows[0]?.matched) !== 1) return null;
  wake?.([projectId]);
  return task.snapshot();
}

/** The n-th created task, as `TaskUseCases.create` builds it. */
function newTask(
  access: ProjectAccess,
  userId: string,
  projectId: string,
  n: number,
  ids: IdGenerator,
): Task {
  const { title, description, priority, labels } = createTaskInput(n, projectId);
  return Task.create({
    id: ids.next(),
    projectId,
    title,
    fields: { description, priority, labels },
    actorId: userId,
    access,
    now: new Date(),
  });
}

/**
 * The statements the host runs for the n-th create of a writer of the project, in order: the
 * one CTE statement that confirms the access and writes the task, its audit and outbox rows.
 * Ids come from `ids`.
 */
export function createTaskStatements(
  userId: string,
  projectId: string,
  n: number,
  ids: IdGenerator,
): readonly Statement[] {
  const task = newTask(ProjectAccess.presumed(projectId, userId), userId, projectId, n, ids);
  return [taskInsertStatement(task, { correlationId: ids.next() }, ids, { confirmAccess: true })];
}

/**
 * POST /tasks. The host validates the body, builds the aggregate and runs the one CTE statement
 * that confirms the caller's access and inserts the task, its audit row and its outbox row, then
 * wakes live streams. The baseline does the same through {@link createTaskDirectly}, with `wake`.
 */
export function createTaskScenario(
  userId: string,
  projectId: string,
  wake?: (projectIds: readonly string[]) => void,
): Scenario {
  let sent = 0;
  let done = 0;
  return {
    name: 'POST /tasks',
    expectedStatus: 201,
    ratioTarget: null,
    http: () => ({
      method: 'POST',
      path: '/tasks',
      body: JSON.stringify(createTaskInput((sent += 1), projectId)),
    }),
    direct: async (pool) =>
      (await createTaskDirectly(pool, userId, projectId, (done += 1), wake)) !== null,
  };
}

/** GET /tasks/{id} of random existing tasks: the SELECT by id, then the access SELECT. */
export function getTaskScenario(userId: string, ids: readonly string[]): Scenario {
  const pick = (): string => ids[Math.floor(Math.random() * ids.length)] ?? '';
  return {
    name: 'GET /tasks/{id}',
    expectedStatus: 200,
    ratioTarget: 0.6,
    http: () => ({ method: 'GET', path: `/tasks/${pick()}` }),
    direct: async (pool) => {
      const { rows } = await pool.query<TaskRow>(toQuery(taskByIdStatement(pick())));
      const row = rows[0];
      if (row === undefined) return false;
      const access = await accessFor(pool, row.project_id, [userId]);
      return access?.isMember(userId) ?? false;
    },
  };
}

/** Filters of a list scenario. */
export interface ListFilter {
  readonly status?: TaskStatus;
  readonly priority?: TaskPriority;
  readonly label?: string;
}

/**
 * GET /tasks?projectId=…&<filter>&limit=50 over the seeded project: the first page one time in
 * four, else the page after a random task (a cursor), as people scroll. One statement.
 */
export function listTasksScenario(
  userId: string,
  projectId: string,
  filter: ListFilter,
  cursorIds: readonly string[],
): Scenario {
  const limit = 50;
  const pickCursor = (): string | null =>
    Math.random() < 0.25
      ? null
      : encodeCursor(cursorIds[Math.floor(Math.random() * cursorIds.length)] ?? '');
  const statementFor = (cursor: string | null): Statement =>
    taskListStatement({
      memberId: userId,
      projectId,
      status: filter.status ?? null,
      priority: filter.priority ?? null,
      assigneeId: null,
      label: filter.label ?? null,
      q: null,
      dueBefore: null,
      dueAfter: null,
      order: 'newest',
      limit,
      cursor,
    });
  const filterQuery = Object.entries(filter)
    .map(([name, value]) => `&${name}=${encodeURIComponent(String(value))}`)
    .join('');
  return {
    name: `GET /tasks?${Object.keys(filter).join('&')}`,
    expectedStatus: 200,
    ratioTarget: 0.75,
    http: () => {
      const cursor = pickCursor();
      return {
        method: 'GET',
        path: `/tasks?projectId=${projectId}${filterQuery}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`,
      };
    },
    direct: async (pool) => {
      const { rows } = await pool.query(toQuery(statementFor(pickCursor())));
      return rows.length === limit + 1;
    },
    explain: statementFor(null),
  };
}
