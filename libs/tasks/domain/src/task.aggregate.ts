import { AggregateRoot, type PendingEvent, pendingEvent } from '@taskflow/platform-events';
import { ConflictError, NotFoundError, ValidationError } from '@taskflow/platform-kernel';
import type { ProjectAccess } from '@taskflow/projects-domain';
import {
  defaultTaskRank,
  taskDescription,
  taskDueDate,
  taskLabels,
  taskRank,
  taskTitle,
} from './task-fields';
import {
  TASK_DIFFED_FIELDS,
  type TASK_EVENTS,
  type FieldChange,
  type FieldValue,
  type TaskEvent,
  type TaskField,
  type TaskPriority,
  type TaskSnapshot,
  type TaskStatus,
  taskAssigned,
  taskCompleted,
  taskCreated,
  taskDeleted,
  taskStatusChanged,
  taskUpdated,
} from './task.events';

/** Fields a caller sets or changes; an absent (or undefined) field is left as it is. */
export interface TaskPatch {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly status?: TaskStatus | undefined;
  readonly priority?: TaskPriority | undefined;
  readonly assigneeId?: string | null | undefined;
  readonly dueDate?: string | null | undefined;
  readonly labels?: readonly string[] | undefined;
  /** The task's place in its column (`taskRank`); a new task without one goes on top. */
  readonly rank?: string | undefined;
}

/** Stored state of a task. */
export type TaskProps = TaskSnapshot;

// Terminal states cannot jump straight into each other: reopen first. Everything else may move
// freely, as collaborators routinely correct a status.
const FORBIDDEN_TRANSITIONS: ReadonlySet<string> = new Set([
  'completed>cancelled',
  'cancelled>completed',
]);

/** The error for a task that does not exist, is deleted, or is not visible to the actor. */
export function taskNotFound(taskId: string): NotFoundError {
  return new NotFoundError('TASK_NOT_FOUND', `task ${taskId} not found`);
}

/** The error for assigning a task to someone who is not a member of its project. */
export function assigneeNotMember(): ValidationError {
  return ValidationError.field(
    'ASSIGNEE_NOT_MEMBER',
    'assigneeId',
    'must be a member of the task’s project',
  );
}

/**
 * A unit of work in a project. Invariants: only owners and editors change it; its assignee is a
 * member of its project; `completedAt` is set exactly while it is completed; `version` grows by
 * one per change; a deleted task accepts no change.
 */
export class Task extends AggregateRoot<TaskEvent> {
  private state: TaskSnapshot;

  private constructor(
    initial: TaskSnapshot,
    private readonly storedVersion: number,
  ) {
    super(initial.id);
    this.state = initial;
  }

  /** Creates a task; raises `task.created` (and `task.assigned` / `task.completed` when it starts so). */
  static create(input: {
    id: string;
    projectId: string;
    title: string;
    fields: Omit<TaskPatch, 'title'>;
    actorId: string;
    access: ProjectAccess;
    now: Date;
  }): Task {
    input.access.requireWriter(input.actorId);
    const at = input.now.toISOString();
    const status = input.fields.status ?? 'pending';
    const assigneeId = input.fields.assigneeId ?? null;
    requireAssignable(assigneeId, input.access);
    const task = new Task(
      {
        id: input.id,
        projectId: input.projectId,
        title: taskTitle(input.title),
        description: taskDescription(input.fields.description ?? ''),
        status,
        priority: input.fields.priority ?? 'medium',
        assigneeId,
        createdBy: input.actorId,
        dueDate: taskDueDate(input.fields.dueDate ?? null),
        labels: taskLabels(input.fields.labels ?? []),
        rank: input.fields.rank === undefined ? defaultTaskRank(at) : taskRank(input.fields.rank),
        version: 1,
        createdAt: at,
        updatedAt: at,
        completedAt: status === 'completed' ? at : null,
        deletedAt: null,
      },
      0,
    );
    task.raise(taskCreated, { task: task.snapshot() }, input.actorId);
    if (assigneeId !== null) {
      task.raise(taskAssigned, { from: null, to: assigneeId }, input.actorId);
    }
    if (status === 'completed') {
      task.raise(taskCompleted, { completedAt: at, completedBy: input.actorId }, input.actorId);
    }
    return task;
  }

  /** Rebuilds a task from storage; raises nothing. */
  static rehydrate(props: TaskProps): Task {
    return new Task({ ...props, labels: [...props.labels] }, props.version);
  }

  get projectId(): string {
    return this.state.projectId;
  }

  get version(): number {
    return this.state.version;
  }

  /** The version storage held when this task was loaded (0 for a task not yet stored). */
  get loadedVersion(): number {
    return this.storedVersion;
  }

  get isDeleted(): boolean {
    return this.state.deletedAt !== null;
  }

  /**
   * Applies the fields present in `patch`. Returns false, raising nothing and keeping the
   * version, when no field actually changes.
   */
  update(patch: TaskPatch, actorId: string, access: ProjectAccess, now: Date): boolean {
    access.requireWriter(actorId);
    if (this.isDeleted) throw taskNotFound(this.state.id);
    return this.apply(patch, actorId, access, now);
  }

  /**
   * Unassigns `userId`, who is leaving the task's project: a task's assignee is always a member.
   * The removal itself was authorised (owners only), so no role is checked here. Returns false,
   * raising nothing, when the task is deleted or not assigned to them.
   */
  releaseAssignee(userId: string, actorId: string, now: Date): boolean {
    if (this.isDeleted || this.state.assigneeId !== userId) return false;
    return this.apply({ assigneeId: null }, actorId, null, now);
  }

  // `access` null: nobody new is assigned, so no membership needs checking.
  private apply(
    patch: TaskPatch,
    actorId: string,
    access: ProjectAccess | null,
    now: Date,
  ): boolean {
    const before = this.state;
    const next: { -readonly [K in keyof TaskSnapshot]: TaskSnapshot[K] } = { ...before };
    if (patch.title !== undefined) next.title = taskTitle(patch.title);
    if (patch.description !== undefined) next.description = taskDescription(patch.description);
    if (patch.priority !== undefined) next.priority = patch.priority;
    if (patch.dueDate !== undefined) next.dueDate = taskDueDate(patch.dueDate);
    if (patch.labels !== undefined) next.labels = taskLabels(patch.labels);
    if (patch.rank !== undefined) next.rank = taskRank(patch.rank);
    if (patch.assigneeId !== undefined) {
      if (patch.assigneeId !== before.assigneeId && patch.assigneeId !== null) {
        if (access === null) throw new Error('assigning someone needs the project’s access');
        requireAssignable(patch.assigneeId, access);
      }
      next.assigneeId = patch.assigneeId;
    }
    const at = now.toISOString();
    if (patch.status !== undefined && patch.status !== before.status) {
      if (FORBIDDEN_TRANSITIONS.has(`${before.status}>${patch.status}`)) {
        throw new ConflictError(
          before.status === 'completed' ? 'TASK_ALREADY_COMPLETED' : 'TASK_CANCELLED',
          `a ${before.status} task cannot become ${patch.status}; reopen it first`,
        );
      }
      next.status = patch.status;
      next.completedAt = patch.status === 'completed' ? at : null;
    }

    const changes = diff(before, next);
    if (Object.keys(changes).length === 0) return false;

    next.version = before.version + 1;
    next.updatedAt = at;
    this.state = next;
    this.raise(taskUpdated, { changes, task: this.snapshot() }, actorId);
    if (next.status !== before.status) {
      this.raise(taskStatusChanged, { from: before.status, to: next.status }, actorId);
      if (next.status === 'completed') {
        this.raise(taskCompleted, { completedAt: at, completedBy: actorId }, actorId);
      }
    }
    if (next.assigneeId !== before.assigneeId) {
      this.raise(taskAssigned, { from: before.assigneeId, to: next.assigneeId }, actorId);
    }
    return true;
  }

  /** Soft-deletes the task, keeping its history; raises `task.deleted`. */
  delete(actorId: string, access: ProjectAccess, now: Date): void {
    access.requireWriter(actorId);
    if (this.isDeleted) throw taskNotFound(this.state.id);
    const at = now.toISOString();
    this.state = { ...this.state, deletedAt: at, updatedAt: at, version: this.state.version + 1 };
    this.raise(taskDeleted, { deletedAt: at }, actorId);
  }

  /** The task's public shape. */
  snapshot(): TaskSnapshot {
    return { ...this.state, labels: [...this.state.labels] };
  }

  private raise<D extends (typeof TASK_EVENTS)[number]>(
    definition: D,
    data: PendingEvent<D>['data'],
    actorId: string,
  ): void {
    this.record(
      pendingEvent(definition, data, {
        aggregateId: this.state.id,
        aggregateVersion: this.state.version,
        projectId: this.state.projectId,
        actor: actorId,
        occurredAt: this.state.updatedAt,
      }),
    );
  }
}

function requireAssignable(assigneeId: string | null, access: ProjectAccess): void {
  if (assigneeId !== null && !access.isMember(assigneeId)) throw assigneeNotMember();
}

function diff(before: TaskSnapshot, after: TaskSnapshot): Partial<Record<TaskField, FieldChange>> {
  const changes: Partial<Record<TaskField, FieldChange>> = {};
  for (const field of TASK_DIFFED_FIELDS) {
    const oldValue = before[field];
    const newValue = after[field];
    if (!sameValue(oldValue, newValue)) changes[field] = { oldValue, newValue };
  }
  return changes;
}

function sameValue(a: FieldValue, b: FieldValue): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}
