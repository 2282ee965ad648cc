import { type TaskPriority, type TaskStatus } from './task.events';
import type { Page, WriteContext } from '@taskflow/platform-kernel';
import type { Comment } from './comment.aggregate';
import type { TaskHistoryEntry } from './task-history';
import type { Task } from './task.aggregate';

/**
 * How a task listing is ordered: `newest` first (by id, which grows with time), or by `rank`
 * (a board column's order: rank, then id, lowest first).
 */
export type TaskListOrder = 'newest' | 'rank';

/** Filters of a task listing; all optional but the member whose projects are searched. */
export interface TaskListQuery {
  /** Only tasks of projects this user is a member of. */
  readonly memberId: string;
  readonly projectId: string | null;
  readonly status: TaskStatus | null;
  readonly priority: TaskPriority | null;
  readonly assigneeId: string | null;
  readonly label: string | null;
  /** Case-insensitive substring of the title or description. */
  readonly q: string | null;
  readonly dueBefore: string | null;
  readonly dueAfter: string | null;
  readonly order: TaskListOrder;
  readonly limit: number;
  readonly cursor: string | null;
}

/** The filters of a task listing (a `TaskListQuery` but for its member), all unset: the first 50 live tasks. */
export const NO_TASK_FILTERS: Readonly<Omit<TaskListQuery, 'memberId'>> = {
  projectId: null,
  status: null,
  priority: null,
  assigneeId: null,
  label: null,
  q: null,
  dueBefore: null,
  dueAfter: null,
  order: 'newest',
  limit: 50,
  cursor: null,
};

/**
 * Port to the tasks store. Every write stores the task, its audit rows and its events atomically,
 * and a write that assigns someone stores nothing (`ASSIGNEE_NOT_MEMBER`) unless they are a
 * member of the task's project when it commits: on PostgreSQL a concurrent removal cannot slip
 * in between (the membership row is locked). Aurora DSQL has no shared row locks: there the
 * membership is only read, and an assignment racing a removal can still commit.
 */
export interface TaskRepository {
  add(task: Task, context: WriteContext): Promise<void>;
  /**
   * Stores a new task only if, when it commits, its creator has a role of
   * `PROJECT_WRITER_ROLES` in its project and its assignee (if any) is a member; else writes
   * nothing and answers false. For a task created with `ProjectAccess.presumed`.
   */
  addIfAllowed(task: Task, context: WriteContext): Promise<boolean>;
  /** Throws `StaleVersionError` when the stored version is no longer `task.loadedVersion`. */
  save(task: Task, context: WriteContext): Promise<void>;
  /** The task, deleted or not, or null. */
  findById(id: string): Promise<Task | null>;
  /** Live (not deleted) tasks matching the query in its order, keyset-paginated. */
  list(query: TaskListQuery): Promise<Page<Task>>;
  /**
   * Live tasks of a project assigned to a user, newest first, keyset-paginated, whoever asks:
   * for policies that follow a membership change, not for callers' reads.
   */
  assignedTo(
    projectId: string,
    userId: string,
    limit: number,
    cursor: string | null,
  ): Promise<Page<Task>>;
  /** The audit trail, oldest version first. */
  history(taskId: string): Promise<TaskHistoryEntry[]>;
}

/** Port to the comments store. */
export interface CommentRepository {
  add(comment: Comment, context: WriteContext): Promise<void>;
  /** Comments of a task, oldest first. */
  listForTask(taskId: string, limit: number, cursor: string | null): Promise<Page<Comment>>;
}
