import { type RequestContext, retryOnStaleVersion } from '@taskflow/platform-ports';
import type { DepartureProgress } from '@taskflow/projects-application';
import { ProjectAccess, type ProjectRepository, projectNotFound } from '@taskflow/projects-domain';
import {
  type Clock,
  DomainError,
  type IdGenerator,
  type Page,
  StaleVersionError,
} from '@taskflow/platform-kernel';
import {
  Comment,
  type CommentRepository,
  type CommentSnapshot,
  Task,
  type TaskHistoryEntry,
  taskInstant,
  type TaskListQuery,
  taskNotFound,
  type TaskPatch,
  type TaskRepository,
  type TaskSnapshot,
} from '@taskflow/tasks-domain';

/** What a caller sends to create a task. */
export interface CreateTaskInput extends TaskPatch {
  readonly projectId: string;
  readonly title: string;
}

/** Filters of a task listing, as a caller gives them. */
export type ListTasksInput = Omit<TaskListQuery, 'memberId'>;

/** Tasks a member leaving a project is unassigned from, per round trip. */
const RELEASE_PAGE = 100;

/** Creating, changing, reading and commenting tasks. */
export class TaskUseCases {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly comments: CommentRepository,
    private readonly projects: ProjectRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /**
   * Creates a task. In one round trip when the caller may: the write itself confirms the access
   * it presumes (a writer's role, the assignee's membership). When it may not, or the input is
   * refused, the access is read and the task built again with it, so that every refusal is the
   * one it always was (404 for a stranger, 403 for a viewer, ASSIGNEE_NOT_MEMBER...).
   */
  async create(input: CreateTaskInput, context: RequestContext): Promise<TaskSnapshot> {
    const { projectId } = input;
    const assignee = input.assigneeId ?? null;
    let task: Task | null;
    try {
      task = this.newTask(
        input,
        context,
        ProjectAccess.presumed(projectId, context.actorId, assignee === null ? [] : [assignee]),
      );
    } catch (error) {
      // Refused input: the checked path below refuses it as it always did.
      if (!(error instanceof DomainError)) throw error;
      task = null;
    }
    if (task !== null && (await this.tasks.addIfAllowed(task, context))) return task.snapshot();
    const access = await this.access(projectId, context.actorId, assignee);
    const checked = this.newTask(input, context, access);
    await this.tasks.add(checked, context);
    return checked.snapshot();
  }

  private newTask(input: CreateTaskInput, context: RequestContext, access: ProjectAccess): Task {
    const { projectId, title, ...fields } = input;
    return Task.create({
      id: this.ids.next(),
      projectId,
      title,
      fields,
      actorId: context.actorId,
      access,
      now: this.clock.now(),
    });
  }

  /** A live task of one of the actor's projects. */
  async get(taskId: string, context: RequestContext): Promise<TaskSnapshot> {
    return (await this.loadVisible(taskId, context.actorId)).task.snapshot();
  }

  /**
   * Applies the fields sent. With `expectedVersion`, only if the task is still at that version
   * (else `StaleVersionError`); without, onto whatever version is current, re-applying on fresh
   * state when a concurrent change wins, so edits of different fields all survive.
   */
  async update(
    taskId: string,
    patch: TaskPatch,
    expectedVersion: number | null,
    context: RequestContext,
  ): Promise<TaskSnapshot> {
    const alsoAbout = patch.assigneeId ? [patch.assigneeId] : [];
    return this.change(taskId, expectedVersion, context, alsoAbout, (task, access) =>
      task.update(patch, context.actorId, access, this.clock.now()),
    );
  }

  /** Soft-deletes a task, with the same version rules as `update`. */
  async delete(
    taskId: string,
    expectedVersion: number | null,
    context: RequestContext,
  ): Promise<void> {
    await this.change(taskId, expectedVersion, context, [], (task, access) => {
      task.delete(context.actorId, access, this.clock.now());
      return true;
    });
  }

  /**
   * Unassigns a member leaving a project from their live tasks (an assignee is always a
   * member), each change audited and announced like any other. Runs in the removal's
   * transaction, after the membership is gone: an assignment racing the removal either commits
   * first (and is released here) or is refused. With a `limit`, it unassigns at most that many
   * tasks and reports whether more are left (the removal then calls it again, in a transaction
   * of its own); without, all of them.
   */
  async memberLeaving(
    projectId: string,
    userId: string,
    context: RequestContext,
    limit: number | null = null,
  ): Promise<DepartureProgress> {
    const now = this.clock.now();
    if (limit !== null) {
      // Released tasks leave the query: the first page is always what is left.
      const page = await this.tasks.assignedTo(projectId, userId, limit, null);
      let released = 0;
      for (const task of page.items) {
        if (task.releaseAssignee(userId, context.actorId, now)) {
          await this.tasks.save(task, context);
          released += 1;
        }
      }
      return { released, more: page.nextCursor !== null };
    }
    let released = 0;
    let cursor: string | null = null;
    do {
      const page: Page<Task> = await this.tasks.assignedTo(projectId, userId, RELEASE_PAGE, cursor);
      for (const task of page.items) {
        if (task.releaseAssignee(userId, context.actorId, now)) {
          await this.tasks.save(task, context);
          released += 1;
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    return { released, more: false };
  }

  /**
   * Live tasks of the actor's projects matching the filters. The due-date bounds follow the due
   * date's own rule (`taskInstant`), so a bound no due date could have is refused, not sent to SQL.
   */
  async list(input: ListTasksInput, context: RequestContext): Promise<Page<TaskSnapshot>> {
    const page = await this.tasks.list({
      ...input,
      dueBefore: input.dueBefore === null ? null : taskInstant('dueBefore', input.dueBefore),
      dueAfter: input.dueAfter === null ? null : taskInstant('dueAfter', input.dueAfter),
      memberId: context.actorId,
    });
    return { items: page.items.map((t) => t.snapshot()), nextCursor: page.nextCursor };
  }

  /** The audit trail of a task of one of the actor's projects, deleted tasks included. */
  async history(taskId: string, context: RequestContext): Promise<TaskHistoryEntry[]> {
    await this.loadVisible(taskId, context.actorId, { includeDeleted: true });
    return this.tasks.history(taskId);
  }

  /** Adds a comment to a live task. */
  async comment(taskId: string, body: string, context: RequestContext): Promise<CommentSnapshot> {
    const { task, access } = await this.loadVisible(taskId, context.actorId);
    const comment = Comment.create({
      id: this.ids.next(),
      taskId,
      projectId: task.projectId,
      body,
      authorId: context.actorId,
      access,
      now: this.clock.now(),
    });
    await this.comments.add(comment, context);
    return comment.snapshot();
  }

  /** Comments of a live task, oldest first. */
  async listComments(
    taskId: string,
    limit: number,
    cursor: string | null,
    context: RequestContext,
  ): Promise<Page<CommentSnapshot>> {
    await this.loadVisible(taskId, context.actorId);
    const page = await this.comments.listForTask(taskId, limit, cursor);
    return { items: page.items.map((c) => c.snapshot()), nextCursor: page.nextCursor };
  }

  private async change(
    taskId: string,
    expectedVersion: number | null,
    context: RequestContext,
    alsoAbout: readonly string[],
    apply: (task: Task, access: ProjectAccess) => boolean,
  ): Promise<TaskSnapshot> {
    const attempt = async (): Promise<TaskSnapshot> => {
      const { task, access } = await this.loadVisible(taskId, context.actorId, {
        includeDeleted: false,
        alsoAbout,
      });
      if (expectedVersion !== null && task.version !== expectedVersion) {
        throw new StaleVersionError(expectedVersion, task.version);
      }
      if (apply(task, access)) await this.tasks.save(task, context);
      return task.snapshot();
    };
    return expectedVersion === null ? retryOnStaleVersion(attempt) : attempt();
  }

  private async loadVisible(
    taskId: string,
    actorId: string,
    options: { includeDeleted: boolean; alsoAbout?: readonly string[] } = { includeDeleted: false },
  ): Promise<{ task: Task; access: ProjectAccess }> {
    const task = await this.tasks.findById(taskId);
    if (!task || (task.isDeleted && !options.includeDeleted)) throw taskNotFound(taskId);
    // One lookup answers both "may the actor see it" and "may the new assignee hold it".
    const userIds = [actorId, ...(options.alsoAbout ?? []).filter((id) => id !== actorId)];
    const access = await this.projects.accessFor(task.projectId, userIds);
    if (!access?.isMember(actorId)) throw taskNotFound(taskId);
    return { task, access };
  }

  private async access(
    projectId: string,
    actorId: string,
    assigneeId: string | null,
  ): Promise<ProjectAccess> {
    const userIds =
      assigneeId !== null && assigneeId !== actorId ? [actorId, assigneeId] : [actorId];
    const access = await this.projects.accessFor(projectId, userIds);
    if (!access) throw projectNotFound(projectId);
    return access;
  }
}
