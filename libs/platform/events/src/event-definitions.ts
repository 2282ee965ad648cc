import { z } from 'zod';
import {
  FieldChangeSchema,
  ProjectRoleSchema,
  ProjectSummarySchema,
  TaskFieldSchema,
  TaskSnapshotSchema,
  TaskStatusSchema,
  UserSnapshotSchema,
} from './vocabulary';

/**
 * One versioned event contract. `type` is the stable machine name, `detailType` the
 * human-readable name EventBridge rules match on, `data` the payload schema.
 */
export interface EventDefinition<TType extends string, TData extends z.ZodType> {
  readonly type: TType;
  readonly schemaVersion: number;
  readonly detailType: string;
  readonly description: string;
  readonly data: TData;
}

function defineEvent<TType extends string, TData extends z.ZodType>(
  definition: EventDefinition<TType, TData>,
): EventDefinition<TType, TData> {
  return Object.freeze(definition);
}

const isoDateTime = z.iso.datetime({ offset: true });

export const taskCreated = defineEvent({
  type: 'task.created',
  schemaVersion: 1,
  detailType: 'Task Created',
  description: 'A task was created; carries the whole new task.',
  data: z.object({ task: TaskSnapshotSchema }),
});

export const taskUpdated = defineEvent({
  type: 'task.updated',
  schemaVersion: 1,
  detailType: 'Task Updated',
  description: 'Fields of a task changed; carries each changed field with its old and new value.',
  data: z.object({
    changes: z.partialRecord(TaskFieldSchema, FieldChangeSchema),
    task: TaskSnapshotSchema,
  }),
});

export const taskStatusChanged = defineEvent({
  type: 'task.status_changed',
  schemaVersion: 1,
  detailType: 'Task Status Changed',
  description: 'A task moved from one status to another.',
  data: z.object({ from: TaskStatusSchema, to: TaskStatusSchema }),
});

export const taskAssigned = defineEvent({
  type: 'task.assigned',
  schemaVersion: 1,
  detailType: 'Task Assigned',
  description: 'A task was assigned, reassigned or unassigned (`to` is null).',
  data: z.object({ from: z.uuid().nullable(), to: z.uuid().nullable() }),
});

export const taskCompleted = defineEvent({
  type: 'task.completed',
  schemaVersion: 1,
  detailType: 'Task Completed',
  description: 'A task entered the completed status.',
  data: z.object({ completedAt: isoDateTime, completedBy: z.uuid() }),
});

export const taskDeleted = defineEvent({
  type: 'task.deleted',
  schemaVersion: 1,
  detailType: 'Task Deleted',
  description: 'A task was (soft) deleted; its history is kept.',
  data: z.object({ deletedAt: isoDateTime }),
});

export const commentAdded = defineEvent({
  type: 'comment.added',
  schemaVersion: 1,
  detailType: 'Comment Added',
  description: 'A comment was added to a task.',
  data: z.object({
    commentId: z.uuid(),
    taskId: z.uuid(),
    authorId: z.uuid(),
    body: z.string(),
    createdAt: isoDateTime,
  }),
});

export const userCreated = defineEvent({
  type: 'user.created',
  schemaVersion: 1,
  detailType: 'User Created',
  description: 'A user was registered.',
  data: z.object({ user: UserSnapshotSchema }),
});

export const projectCreated = defineEvent({
  type: 'project.created',
  schemaVersion: 1,
  detailType: 'Project Created',
  description: 'A project was created; its creator is its first owner.',
  data: z.object({ project: ProjectSummarySchema }),
});

export const projectMemberAdded = defineEvent({
  type: 'project.member_added',
  schemaVersion: 1,
  detailType: 'Project Member Added',
  description: 'A user joined a project with a role.',
  data: z.object({ userId: z.uuid(), role: ProjectRoleSchema }),
});

export const projectMemberRemoved = defineEvent({
  type: 'project.member_removed',
  schemaVersion: 1,
  detailType: 'Project Member Removed',
  description: 'A user left or was removed from a project.',
  data: z.object({ userId: z.uuid(), role: ProjectRoleSchema }),
});

/** Every event Taskflow emits, each defined exactly once. */
export const EVENT_DEFINITIONS = [
  taskCreated,
  taskUpdated,
  taskStatusChanged,
  taskAssigned,
  taskCompleted,
  taskDeleted,
  commentAdded,
  userCreated,
  projectCreated,
  projectMemberAdded,
  projectMemberRemoved,
] as const;

type AnyDefinition = (typeof EVENT_DEFINITIONS)[number];

/** The machine name of any Taskflow event. */
export type EventType = AnyDefinition['type'];

/** The payload of the event named `T`. */
export type EventData<T extends EventType> = z.infer<Extract<AnyDefinition, { type: T }>['data']>;

const byType = new Map<string, AnyDefinition>(EVENT_DEFINITIONS.map((d) => [d.type, d]));

/** The definition of an event type, or undefined for a name Taskflow does not emit. */
export function eventDefinitionOf(type: string): AnyDefinition | undefined {
  return byType.get(type);
}
