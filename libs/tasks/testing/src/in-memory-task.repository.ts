import { PROJECT_WRITER_ROLES, type ProjectRole } from '@taskflow/projects-domain';
import type { Page, WriteContext } from '@taskflow/platform-kernel';
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
import {
  type InMemoryStoreOptions,
  InMemoryVersionedTable,
  keyedPageAfter,
  later,
  requireUuid,
} from '@taskflow/platform-testing';

/** Who belongs to which project, as the listing's filter and the guarded writes need to know. */
export interface ProjectMembership {
  hasMember(projectId: string, userId: string): boolean;
  /** The user's role in the project, or null when not a member (or no such project). */
  roleOf(projectId: string, userId: string): ProjectRole | null;
}

/** A stored task as a repository loads it (never aliasing the stored state). */
const loaded = (row: TaskSnapshot): Task => Task.rehydrate(structuredClone(row));

// Order keys compare by character code, as the adapter's COLLATE "C" does; ids break ties.
const byRank = (a: TaskSnapshot, b: TaskSnapshot): number =>
  a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

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
export class InMemoryTaskRepository
  extends InMemoryVersionedTable<TaskSnapshot>
  implements TaskRepository
{
  private readonly audit: TaskAuditRow[] = [];

  /** @param projects - answers the membership filter of `list` (usually the project fake). */
  constructor(
    private readonly projects: ProjectMembership,
    options: InMemoryStoreOptions = {},
  ) {
    super('tasks', options);
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

  async add(task: Task, context: WriteContext): Promise<void> {
    const events = task.pullEvents();
    const s = task.snapshot();
    await this.insert(structuredClone(s), events, context, () => this.auditWrite(s, events));
  }

  async addIfAllowed(task: Task, context: WriteContext): Promise<boolean> {
    const s = task.snapshot();
    const role = this.projects.roleOf(s.projectId, s.createdBy);
    const assignable = s.assigneeId === null || this.projects.hasMember(s.projectId, s.assigneeId);
    if (role === null || !PROJECT_WRITER_ROLES.includes(role) || !assignable) {
      // As the adapter's statement: a refused write takes the task's events with it.
      task.pullEvents();
      return later(() => false);
    }
    await this.add(task, context);
    return true;
  }

  async save(task: Task, context: WriteContext): Promise<void> {
    // The adapter takes the events before it writes; a refused save loses them too.
    const events = task.pullEvents();
    const s = task.snapshot();
    await this.update(s.id, task.loadedVersion, events, context, () => {
      this.auditWrite(s, events);
      return structuredClone(s);
    });
  }

  findById(id: string): Promise<Task | null> {
    return later(() => {
      requireUuid(id, 'tasks.id');
      const row = this.rows.get(id);
      return row ? loaded(row) : null;
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
      const matching = [...this.rows.values()].filter(
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
      );
      return query.order === 'rank'
        ? keyedPageAfter(
            [...matching].sort(byRank),
            (t) => t.rank,
            query.limit,
            query.cursor,
            loaded,
          )
        : this.pageOf(matching, 'desc', query.limit, query.cursor, loaded);
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
      const matching = [...this.rows.values()].filter(
        (t) => t.deletedAt === null && t.projectId === projectId && t.assigneeId === userId,
      );
      return this.pageOf(matching, 'desc', limit, cursor, loaded);
    });
  }

  // As the adapter does at commit: whoever the write assigns must still be a member; then the
  // write's audit rows are stored with it.
  private auditWrite(s: TaskSnapshot, events: readonly TaskEvent[]): void {
    for (const event of events) {
      if (
        event.type === 'task.assigned' &&
        event.data.to !== null &&
        !this.projects.hasMember(s.projectId, event.data.to)
      ) {
        throw assigneeNotMember();
      }
    }
    this.audit.push(...structuredClone(auditRowsOf(events)));
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
