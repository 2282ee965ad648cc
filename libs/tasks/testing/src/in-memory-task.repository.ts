import { type Page, StaleVersionError, type WriteContext } from '@taskflow/platform-kernel';
import {
  assigneeNotMember,
  auditRowsOf,
  historyOf,
  Task,
  type TaskAuditRow,
  type TaskHistoryEntry,
  type TaskListQuery,
  type TaskRepository,
  type TaskSnapshot,
  type TaskEvent,
} from '@taskflow/tasks-domain';
import { compareIds, later, pageAfter, requireUuid } from '@taskflow/platform-testing';
import { InMemoryStore, type InMemoryStoreOptions } from '@taskflow/platform-testing';

/** Who belongs to which project, as the task listing's membership filter needs to know. */
export interface ProjectMembership {
  hasMember(projectId: string, userId: string): boolean;
}

function instantOf(value: string, what: string): number {
  const millis = Date.parse(value);
  // Postgres rejects a timestamptz parameter it cannot read: a driver error, not a domain error.
  if (Number.isNaN(millis))
    throw new TypeError(
      `invalid input syntax for type timestamp with time zone (${what}): "${value}"`,
    );
  return millis;
}

/**
 * An in-memory {@link TaskRepository} with the Postgres adapter's semantics: tasks are stored as
 * snapshots (a loaded `Task` never aliases stored state) together with their audit rows
 * (`auditRowsOf`) and events; `save` stores nothing and throws `StaleVersionError` unless the
 * stored version is still `task.loadedVersion`; `findById` returns deleted tasks too; `list`
 * answers live tasks of the member's projects matching every given filter, newest first (by id)
 * with an opaque keyset cursor; `history` folds the audit rows with `historyOf`.
 *
 * To exercise retries, `interleave(write)` runs a concurrent writer right before the next `save`
 * is checked, and `bumpVersionBeforeNextSave(id)` is the simplest such writer. `staleSaves`
 * counts the saves refused for a stale version.
 */
export class InMemoryTaskRepository extends InMemoryStore implements TaskRepository {
  private readonly rows = new Map<string, TaskSnapshot>();
  private readonly audit: TaskAuditRow[] = [];
  private refused = 0;

  /** @param projects - answers the membership filter of `list` (usually the project fake). */
  constructor(
    private readonly projects: ProjectMembership,
    options: InMemoryStoreOptions = {},
  ) {
    super(options);
  }

  /** How many saves were refused because the stored version had moved on. */
  get staleSaves(): number {
    return this.refused;
  }

  /** The stored state of a task (a copy), or null. */
  storedSnapshotOf(id: string): TaskSnapshot | null {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  /** The audit rows stored for a task (copies), in write order. */
  auditRowsFor(taskId: string): TaskAuditRow[] {
    return structuredClone(this.audit.filter((row) => row.taskId === taskId));
  }

  /**
   * Before the next `save`, a concurrent writer bumps the stored version of task `id` once
   * (changing nothing else and writing no audit row), so that save loses the race.
   */
  bumpVersionBeforeNextSave(id: string): void {
    this.interleave(() => {
      const row = this.rows.get(id);
      if (!row) throw new Error(`no stored task ${id} to bump`);
      this.rows.set(id, { ...row, version: row.version + 1 });
    });
  }

  async add(task: Task, context: WriteContext): Promise<void> {
    const events = task.pullEvents();
    const s = task.snapshot();
    requireUuid(s.id, 'tasks.id');
    await this.runConcurrentWriter();
    this.requireAssignable(s.projectId, events);
    if (this.rows.has(s.id))
      throw new Error(`duplicate key value violates unique constraint "tasks_pkey" (${s.id})`);
    this.rows.set(s.id, structuredClone(s));
    this.audit.push(...structuredClone(auditRowsOf(events)));
    this.record(events, context);
  }

  async save(task: Task, context: WriteContext): Promise<void> {
    // The adapter takes the events before it writes; a refused save loses them too.
    const events = task.pullEvents();
    const s = task.snapshot();
    await this.runConcurrentWriter();
    if (this.rows.get(s.id)?.version !== task.loadedVersion) {
      this.refused += 1;
      throw new StaleVersionError(task.loadedVersion, null);
    }
    this.requireAssignable(s.projectId, events);
    this.rows.set(s.id, structuredClone(s));
    this.audit.push(...structuredClone(auditRowsOf(events)));
    this.record(events, context);
  }

  findById(id: string): Promise<Task | null> {
    return later(() => {
      requireUuid(id, 'tasks.id');
      const row = this.rows.get(id);
      return row ? Task.rehydrate(structuredClone(row)) : null;
    });
  }

  list(query: TaskListQuery): Promise<Page<Task>> {
    return later(() => {
      requireUuid(query.memberId, 'memberId');
      if (query.projectId !== null) requireUuid(query.projectId, 'projectId');
      if (query.assigneeId !== null) requireUuid(query.assigneeId, 'assigneeId');
      const q = query.q?.toLowerCase() ?? null;
      const before = query.dueBefore === null ? null : instantOf(query.dueBefore, 'dueBefore');
      const after = query.dueAfter === null ? null : instantOf(query.dueAfter, 'dueAfter');
      const due = (t: TaskSnapshot): number | null =>
        t.dueDate === null ? null : Date.parse(t.dueDate);
      const matching = [...this.rows.values()]
        .filter(
          (t) =>
            t.deletedAt === null &&
            this.projects.hasMember(t.projectId, query.memberId) &&
            (query.projectId === null || t.projectId === query.projectId) &&
            (query.status === null || t.status === query.status) &&
            (query.priority === null || t.priority === query.priority) &&
            (query.assigneeId === null || t.assigneeId === query.assigneeId) &&
            (query.label === null || t.labels.includes(query.label)) &&
            (q === null ||
              t.title.toLowerCase().includes(q) ||
              t.description.toLowerCase().includes(q)) &&
            // Like SQL, a comparison with a missing due date is never true.
            (before === null || (due(t) ?? Number.POSITIVE_INFINITY) < before) &&
            (after === null || (due(t) ?? Number.NEGATIVE_INFINITY) > after),
        )
        .sort((a, b) => compareIds(b.id, a.id));
      return pageAfter(
        matching,
        (id, cursorId) => compareIds(id, cursorId) < 0,
        query.limit,
        query.cursor,
        (row) => Task.rehydrate(structuredClone(row)),
      );
    });
  }

  assignedTo(
    projectId: string,
    userId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Task>> {
    return later(() => {
      requireUuid(projectId, 'projectId');
      requireUuid(userId, 'assigneeId');
      const matching = [...this.rows.values()]
        .filter((t) => t.deletedAt === null && t.projectId === projectId && t.assigneeId === userId)
        .sort((a, b) => compareIds(b.id, a.id));
      return pageAfter(
        matching,
        (id, cursorId) => compareIds(id, cursorId) < 0,
        limit,
        cursor,
        (row) => Task.rehydrate(structuredClone(row)),
      );
    });
  }

  // As the adapter does at commit: whoever the write assigns must still be a member.
  private requireAssignable(projectId: string, events: readonly TaskEvent[]): void {
    for (const event of events) {
      if (
        event.type === 'task.assigned' &&
        event.data.to !== null &&
        !this.projects.hasMember(projectId, event.data.to)
      ) {
        throw assigneeNotMember();
      }
    }
  }

  history(taskId: string): Promise<TaskHistoryEntry[]> {
    return later(() => {
      requireUuid(taskId, 'task_updates.task_id');
      // The adapter reads the rows ordered by version, then field.
      const rows = this.audit
        .filter((row) => row.taskId === taskId)
        .sort(
          (a, b) => a.version - b.version || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0),
        );
      return historyOf(structuredClone(rows));
    });
  }
}
