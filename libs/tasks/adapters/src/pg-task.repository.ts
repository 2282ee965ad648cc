import {
  type IdGenerator,
  type Page,
  StaleVersionError,
  type WriteContext,
} from '@taskflow/platform-kernel';
import {
  assigneeNotMember,
  auditRowsOf,
  historyOf,
  Task,
  type TaskAuditRow,
  type TaskHistoryEntry,
  type TaskListQuery,
  type TaskPriority,
  type TaskRepository,
  type TaskStatus,
  type TaskEvent,
} from '@taskflow/tasks-domain';
import {
  appendOutbox,
  type Column,
  containsPattern,
  type DatabaseConfig,
  decodeCursor,
  decodeKeyedCursor,
  encodeKeyedCursor,
  isoText,
  pageOf,
  PgRepository,
  type Statement,
  WriteBatch,
} from '@taskflow/platform-postgres';
import { PROJECT_WRITER_ROLES } from '@taskflow/projects-domain';

/** A tasks row as selected by TASK_SELECT (timestamps already as ISO 8601 UTC text). */
export interface TaskRow {
  id: string;
  project_id: string;
  title: string;
  description: string;
  status: TaskStatus;
  priority: TaskPriority;
  assignee_id: string | null;
  created_by: string;
  due_date: string | null;
  labels: string;
  rank: string;
  version: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  deleted_at: string | null;
}

/** The columns of a task, in TaskRow's order (for inserts). */
export const TASK_COLUMNS =
  'id, project_id, title, description, status, priority, assignee_id, created_by, due_date, labels, version, created_at, updated_at, completed_at, deleted_at, rank';

// Timestamps come formatted by the server, under their own column names.
const isoColumn = (column: string): string => isoText(column, column);

/**
 * A task's rank: its own, or for a task stored before ranks existed (`rank` null; the column
 * was added without a backfill, which Aurora DSQL's 3,000-row transactions would have to cut
 * into batches) the key `defaultTaskRank` gives its creation instant. Compared bytewise
 * (`COLLATE "C"`): order keys sort by character code, not by a locale's rules.
 */
export const TASK_RANK_SQL = `COALESCE(rank, 'N' || lpad((9999999999999 - floor(extract(epoch FROM created_at) * 1000))::bigint::text, 13, '0')) COLLATE "C"`;

/** The select list of a task, in TaskRow's shape. */
export const TASK_SELECT = `id, project_id, title, description, status, priority, assignee_id, created_by, ${isoColumn('due_date')},
  labels, ${TASK_RANK_SQL} AS rank, version, ${isoColumn('created_at')}, ${isoColumn('updated_at')}, ${isoColumn('completed_at')}, ${isoColumn('deleted_at')}`;

const AUDIT_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'uuid' },
  { name: 'task_id', type: 'uuid' },
  { name: 'version', type: 'int' },
  { name: 'field', type: 'text' },
  { name: 'old_value', type: 'text' },
  { name: 'new_value', type: 'text' },
  { name: 'actor_id', type: 'uuid' },
  { name: 'at', type: 'timestamptz' },
];

/**
 * Task unassignments one Aurora DSQL transaction may hold when a member leaves a project (DSQL
 * changes at most 3,000 rows and 10 MiB per transaction). Each one writes six rows (the task,
 * one audit row, two outbox rows and their two publication-state rows) and at most about 45 KB
 * (a task.updated event carries the task, description included): 100 of them are 600 rows and
 * under 5 MB, room to spare even if DSQL counted each secondary-index entry as a row.
 */
export const DSQL_RELEASES_PER_TRANSACTION = 100;

/** Maps a row to the aggregate. */
export function taskFromRow(row: TaskRow): Task {
  return Task.rehydrate({
    id: row.id,
    projectId: row.project_id,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    assigneeId: row.assignee_id,
    createdBy: row.created_by,
    dueDate: row.due_date,
    labels: JSON.parse(row.labels) as string[],
    rank: row.rank,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    deletedAt: row.deleted_at,
  });
}

/**
 * The one statement that stores a new task: its row, its audit rows and its outbox rows (a CTE
 * chain, one round trip); with `confirmAccess`, only if its creator may write to the project.
 * Pure apart from drawing audit and outbox ids from `ids`; it pulls the task's pending events.
 * Exported so that benchmarks run exactly the SQL the repository runs.
 */
export function taskInsertStatement(
  task: Task,
  context: WriteContext,
  ids: IdGenerator,
  options: { readonly confirmAccess: boolean } = { confirmAccess: false },
): Statement {
  return insertStatementOf(taskInsertBatch(task, context, ids, 'postgres', options.confirmAccess));
}

/** A task insert's statement: a guarded one answers whether its row was written (`matched`). */
function insertStatementOf(batch: WriteBatch): Statement {
  return batch.guarded
    ? batch.toStatement('SELECT count(*) AS matched FROM task_row')
    : batch.toStatement();
}

function taskInsertBatch(
  task: Task,
  context: WriteContext,
  ids: IdGenerator,
  dialect: DatabaseConfig['dialect'],
  confirmAccess = false,
): WriteBatch {
  const s = task.snapshot();
  const events = task.pullEvents();
  const batch = new WriteBatch();
  const assignee = newAssigneeOf(events);
  const conditions = [
    ...(confirmAccess ? [guardWriter(batch, s.projectId, s.createdBy)] : []),
    ...(assignee === null ? [] : [guardAssignee(batch, s.projectId, assignee, dialect)]),
  ];
  const guard = conditions.length === 0 ? null : conditions.join(' AND ');
  const values = [
    batch.param(s.id),
    batch.param(s.projectId),
    batch.param(s.title),
    batch.param(s.description),
    batch.param(s.status),
    batch.param(s.priority),
    batch.param(s.assigneeId, 'uuid'),
    batch.param(s.createdBy),
    batch.param(s.dueDate, 'timestamptz'),
    batch.param(JSON.stringify(s.labels)),
    batch.param(s.version, 'int'),
    batch.param(s.createdAt, 'timestamptz'),
    batch.param(s.updatedAt, 'timestamptz'),
    batch.param(s.completedAt, 'timestamptz'),
    batch.param(s.deletedAt, 'timestamptz'),
    batch.param(s.rank),
  ].join(', ');
  if (guard === null) {
    batch.with('task_row', `INSERT INTO tasks (${TASK_COLUMNS}) VALUES (${values})`);
  } else {
    batch.guardedBy(
      'task_row',
      `INSERT INTO tasks (${TASK_COLUMNS}) SELECT ${values} WHERE ${guard} RETURNING id`,
    );
  }
  appendEventsAndAudit(batch, events, context, ids);
  return batch;
}

/**
 * Adds a CTE that finds the writer's membership with a role that may change tasks, and returns
 * the condition that it exists. A plain read, as the separate access read was: no invariant
 * ties a task to its creator's later membership (unlike its assignee's), and locking the row
 * (FOR KEY SHARE) would make every concurrent create in a project share one multixact.
 */
function guardWriter(batch: WriteBatch, projectId: string, writerId: string): string {
  batch.with(
    'writer_row',
    `SELECT 1 FROM project_members WHERE project_id = ${batch.param(projectId, 'uuid')} AND user_id = ${batch.param(writerId, 'uuid')} AND role = ANY(${batch.param(PROJECT_WRITER_ROLES, 'text[]')})`,
  );
  return 'EXISTS (SELECT 1 FROM writer_row)';
}

/** Who a task's pending events leave it assigned to, when they assign someone. */
function newAssigneeOf(events: readonly TaskEvent[]): string | null {
  let assignee: string | null = null;
  for (const event of events) if (event.type === 'task.assigned') assignee = event.data.to;
  return assignee;
}

/**
 * Adds a CTE that finds the assignee's membership and returns the condition that it exists, so
 * that an assignment racing the member's removal can never leave a non-member assigned.
 *
 * - PostgreSQL: it locks the membership row (FOR KEY SHARE) until commit: a removal's DELETE of
 *   it waits for this write, which it then sees and releases; or this write waits for the
 *   removal, and finds nothing.
 * - Aurora DSQL has no shared row locks and detects only write-write conflicts: there the guard
 *   writes the membership row (bumps `assignments`). The removal deletes that row, so the two
 *   transactions write one row and DSQL aborts whichever commits second with 40001: a losing
 *   assignment runs again and finds no membership; a losing removal runs again and sees the
 *   assignment, which it then releases. The price: two assignments of one member in one
 *   project at the same instant conflict too, and one of them is retried.
 */
function guardAssignee(
  batch: WriteBatch,
  projectId: string,
  assigneeId: string,
  dialect: DatabaseConfig['dialect'],
): string {
  const membership = `project_id = ${batch.param(projectId, 'uuid')} AND user_id = ${batch.param(assigneeId, 'uuid')}`;
  batch.with(
    'assignee_row',
    dialect === 'postgres'
      ? `SELECT 1 FROM project_members WHERE ${membership} FOR KEY SHARE`
      : `UPDATE project_members SET assignments = COALESCE(assignments, 0) + 1 WHERE ${membership} RETURNING 1`,
  );
  return 'EXISTS (SELECT 1 FROM assignee_row)';
}

/** The statement that reads one task (deleted or not) by id, in TaskRow's shape. */
export function taskByIdStatement(id: string): Statement {
  return {
    name: 'tf_task_by_id',
    text: `SELECT ${TASK_SELECT} FROM tasks WHERE id = $1`,
    values: [id],
  };
}

/**
 * The statement of one page of a task listing: live tasks of the member's projects matching the
 * filters, newest first, `limit + 1` rows so that the caller can tell whether a next page exists.
 *
 * @throws ValidationError when the cursor is not one this API issued.
 */
export function taskListStatement(query: TaskListQuery): Statement {
  const values: unknown[] = [query.memberId];
  const bind = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = ['deleted_at IS NULL'];
  if (query.projectId !== null) {
    const project = bind(query.projectId);
    where.push(`project_id = ${project}::uuid`);
    where.push(
      `EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = ${project}::uuid AND m.user_id = $1)`,
    );
  } else {
    where.push('project_id IN (SELECT m.project_id FROM project_members m WHERE m.user_id = $1)');
  }
  if (query.status !== null) where.push(`status = ${bind(query.status)}`);
  if (query.priority !== null) where.push(`priority = ${bind(query.priority)}`);
  if (query.assigneeId !== null) where.push(`assignee_id = ${bind(query.assigneeId)}::uuid`);
  if (query.label !== null) where.push(`labels::jsonb ? ${bind(query.label)}`);
  if (query.q !== null) {
    const pattern = bind(containsPattern(query.q));
    where.push(`(title ILIKE ${pattern} OR description ILIKE ${pattern})`);
  }
  if (query.dueBefore !== null) where.push(`due_date < ${bind(query.dueBefore)}::timestamptz`);
  if (query.dueAfter !== null) where.push(`due_date > ${bind(query.dueAfter)}::timestamptz`);
  let order = 'id DESC';
  if (query.order === 'rank') {
    const after = decodeKeyedCursor(query.cursor);
    if (after !== null) {
      const key = bind(after.key);
      where.push(
        `(${TASK_RANK_SQL} > ${key} OR (${TASK_RANK_SQL} = ${key} AND id > ${bind(after.id)}::uuid))`,
      );
    }
    order = `${TASK_RANK_SQL}, id`;
  } else {
    const after = decodeCursor(query.cursor);
    if (after !== null) where.push(`id < ${bind(after)}::uuid`);
  }
  const limit = bind(query.limit + 1);
  const text = `SELECT ${TASK_SELECT} FROM tasks WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit}`;
  return { text, values };
}

// Audit rows and outbox rows of the task's pending events, in the command's own statement.
function appendEventsAndAudit(
  batch: WriteBatch,
  events: readonly TaskEvent[],
  context: WriteContext,
  ids: IdGenerator,
): void {
  const audit = auditRowsOf(events).map((row) => [
    ids.next(),
    row.taskId,
    row.version,
    row.field,
    JSON.stringify(row.oldValue),
    JSON.stringify(row.newValue),
    row.actorId,
    row.at,
  ]);
  batch.insertRows('audit_rows', 'task_updates', AUDIT_COLUMNS, audit);
  appendOutbox(batch, events, context, ids);
}

/** Tasks in PostgreSQL: row, audit rows and outbox rows written by one statement per command. */
export class PgTaskRepository extends PgRepository implements TaskRepository {
  async add(task: Task, context: WriteContext): Promise<void> {
    if (!(await this.insert(task, context, false))) throw assigneeNotMember();
  }

  addIfAllowed(task: Task, context: WriteContext): Promise<boolean> {
    return this.insert(task, context, true);
  }

  /** Runs a task insert; false when its guard refused it (nothing written, nothing announced). */
  private async insert(
    task: Task,
    context: WriteContext,
    confirmAccess: boolean,
  ): Promise<boolean> {
    const batch = taskInsertBatch(task, context, this.ids, this.db.config.dialect, confirmAccess);
    const { rows } = await this.db.query<{ matched?: number }>(insertStatementOf(batch));
    if (batch.guarded && rows[0]?.matched !== 1) return false;
    this.db.announce(batch.envelopes);
    return true;
  }

  async save(task: Task, context: WriteContext): Promise<void> {
    const s = task.snapshot();
    const events = task.pullEvents();
    const batch = this.newBatch();
    const assignee = newAssigneeOf(events);
    const assignable =
      assignee === null
        ? null
        : guardAssignee(batch, s.projectId, assignee, this.db.config.dialect);
    batch.guardedBy(
      'task_row',
      `UPDATE tasks SET title = ${batch.param(s.title)}, description = ${batch.param(s.description)},
        status = ${batch.param(s.status)}, priority = ${batch.param(s.priority)},
        assignee_id = ${batch.param(s.assigneeId, 'uuid')}, due_date = ${batch.param(s.dueDate, 'timestamptz')},
        labels = ${batch.param(JSON.stringify(s.labels))}, rank = ${batch.param(s.rank)}, version = ${batch.param(s.version, 'int')},
        updated_at = ${batch.param(s.updatedAt, 'timestamptz')}, completed_at = ${batch.param(s.completedAt, 'timestamptz')},
        deleted_at = ${batch.param(s.deletedAt, 'timestamptz')}
       WHERE id = ${batch.param(s.id, 'uuid')} AND version = ${batch.param(task.loadedVersion, 'int')}${assignable === null ? '' : ` AND ${assignable}`}
       RETURNING id`,
    );
    appendEventsAndAudit(batch, events, context, this.ids);
    const { rows } = await this.db.query<{ matched: number; assignable: number }>(
      batch.toStatement(
        `SELECT (SELECT count(*) FROM task_row) AS matched, ${
          assignable === null ? '1' : '(SELECT count(*) FROM assignee_row)'
        } AS assignable`,
      ),
    );
    const outcome = rows[0];
    if (outcome?.matched !== 1) {
      if (outcome?.assignable === 0) throw assigneeNotMember();
      throw new StaleVersionError(task.loadedVersion, null);
    }
    this.db.announce(batch.envelopes);
  }

  async assignedTo(
    projectId: string,
    userId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Task>> {
    return this.page(limit, cursor, taskFromRow, (after, rowLimit) =>
      this.db.query<TaskRow>({
        text: `SELECT ${TASK_SELECT} FROM tasks WHERE project_id = $1 AND assignee_id = $2 AND deleted_at IS NULL
             AND ($3::uuid IS NULL OR id < $3::uuid) ORDER BY id DESC LIMIT $4`,
        values: [projectId, userId, after, rowLimit],
      }),
    );
  }

  async findById(id: string): Promise<Task | null> {
    const { rows } = await this.db.query<TaskRow>(taskByIdStatement(id));
    const row = rows[0];
    return row ? taskFromRow(row) : null;
  }

  async list(query: TaskListQuery): Promise<Page<Task>> {
    const { rows } = await this.db.query<TaskRow>(taskListStatement(query));
    return query.order === 'rank'
      ? pageOf(rows, query.limit, taskFromRow, (row) =>
          encodeKeyedCursor({ key: row.rank, id: row.id }),
        )
      : pageOf(rows, query.limit, taskFromRow);
  }

  async history(taskId: string): Promise<TaskHistoryEntry[]> {
    const { rows } = await this.db.query<{
      version: number;
      field: TaskAuditRow['field'];
      old_value: string | null;
      new_value: string | null;
      actor_id: string | null;
      at: Date;
    }>({
      name: 'tf_task_history',
      text: 'SELECT version, field, old_value, new_value, actor_id, at FROM task_updates WHERE task_id = $1 ORDER BY version, field',
      values: [taskId],
    });
    return historyOf(
      rows.map((r) => ({
        taskId,
        version: r.version,
        field: r.field,
        oldValue:
          r.old_value === null ? null : (JSON.parse(r.old_value) as TaskAuditRow['oldValue']),
        newValue:
          r.new_value === null ? null : (JSON.parse(r.new_value) as TaskAuditRow['newValue']),
        actorId: r.actor_id,
        at: r.at.toISOString(),
      })),
    );
  }
}
