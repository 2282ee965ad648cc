import { defineEvent, type EventEnvelope, type PendingEvent } from '@taskflow/platform-events';
import { z } from 'zod';

/** Lifecycle states of a task. */
export const TASK_STATUSES = [
  'pending',
  'in_progress',
  'blocked',
  'completed',
  'cancelled',
] as const;
/** Task priorities, lowest first. */
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const TaskPrioritySchema = z.enum(TASK_PRIORITIES);
/** A task's lifecycle state. */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
/** A task's priority. */
export type TaskPriority = z.infer<typeof TaskPrioritySchema>;

const isoDateTime = z.iso.datetime({ offset: true });

/** The public shape of a task, as carried by events and answered by the API. */
export const TaskSnapshotSchema = z.object({
  id: z.uuid(),
  projectId: z.uuid(),
  title: z.string(),
  description: z.string(),
  status: TaskStatusSchema,
  priority: TaskPrioritySchema,
  assigneeId: z.uuid().nullable(),
  createdBy: z.uuid(),
  dueDate: isoDateTime.nullable(),
  labels: z.array(z.string()),
  /** Its place in its board column: an order key, lowest first (`taskRank`). */
  rank: z.string(),
  version: z.int().positive(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  deletedAt: isoDateTime.nullable(),
});
/** The public shape of a task. */
export type TaskSnapshot = z.infer<typeof TaskSnapshotSchema>;

/**
 * The one list of task fields whose changes are audited and announced one by one: the task's
 * state a user or the lifecycle changes. `deletedAt` comes last: deletion is its own event.
 */
export const TASK_MUTABLE_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'assigneeId',
  'dueDate',
  'labels',
  'rank',
  'completedAt',
  'deletedAt',
] as const;
export const TaskFieldSchema = z.enum(TASK_MUTABLE_FIELDS);
/** A task field whose changes are audited. */
export type TaskField = z.infer<typeof TaskFieldSchema>;
/** The fields an update compares and a creation records: every mutable field but `deletedAt`. */
export const TASK_DIFFED_FIELDS: readonly TaskField[] = TASK_MUTABLE_FIELDS.filter(
  (f) => f !== 'deletedAt',
);

/** A value a task field can hold, as JSON. */
export const FieldValueSchema = z.union([z.string(), z.array(z.string()), z.null()]);
/** A value a task field can hold. */
export type FieldValue = z.infer<typeof FieldValueSchema>;

/** One field's change: the value before and after. */
export const FieldChangeSchema = z.object({
  oldValue: FieldValueSchema,
  newValue: FieldValueSchema,
});
/** One field's change. */
export type FieldChange = z.infer<typeof FieldChangeSchema>;

export const taskCreated = defineEvent({
  type: 'task.created',
  description: 'A task was created; carries the whole new task.',
  data: z.object({ task: TaskSnapshotSchema }),
});

export const taskUpdated = defineEvent({
  type: 'task.updated',
  description: 'Fields of a task changed; carries each changed field with its old and new value.',
  data: z.object({
    changes: z.partialRecord(TaskFieldSchema, FieldChangeSchema),
    task: TaskSnapshotSchema,
  }),
});

export const taskStatusChanged = defineEvent({
  type: 'task.status_changed',
  description: 'A task moved from one status to another.',
  data: z.object({ from: TaskStatusSchema, to: TaskStatusSchema }),
});

export const taskAssigned = defineEvent({
  type: 'task.assigned',
  description: 'A task was assigned, reassigned or unassigned (`to` is null).',
  data: z.object({ from: z.uuid().nullable(), to: z.uuid().nullable() }),
});

export const taskCompleted = defineEvent({
  type: 'task.completed',
  description: 'A task entered the completed status.',
  data: z.object({ completedAt: isoDateTime, completedBy: z.uuid() }),
});

export const taskDeleted = defineEvent({
  type: 'task.deleted',
  description: 'A task was (soft) deleted; its history is kept.',
  data: z.object({ deletedAt: isoDateTime }),
});

export const commentAdded = defineEvent({
  type: 'comment.added',
  description: 'A comment was added to a task.',
  data: z.object({
    commentId: z.uuid(),
    taskId: z.uuid(),
    authorId: z.uuid(),
    body: z.string(),
    createdAt: isoDateTime,
  }),
});

/** Every event the tasks context emits. */
export const TASK_EVENTS = [
  taskCreated,
  taskUpdated,
  taskStatusChanged,
  taskAssigned,
  taskCompleted,
  taskDeleted,
  commentAdded,
] as const;
/** A pending event of the tasks context. */
export type TaskEvent = PendingEvent<(typeof TASK_EVENTS)[number]>;
/** A stored event of the tasks context. */
export type TaskEventEnvelope = EventEnvelope<(typeof TASK_EVENTS)[number]>;
