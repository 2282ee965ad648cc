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
/** Roles a user can hold in a project. */
export const PROJECT_ROLES = ['owner', 'editor', 'viewer'] as const;

export const TaskStatusSchema = z.enum(TASK_STATUSES);
export const TaskPrioritySchema = z.enum(TASK_PRIORITIES);
export const ProjectRoleSchema = z.enum(PROJECT_ROLES);

/** A task's lifecycle state. */
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
/** A task's priority. */
export type TaskPriority = z.infer<typeof TaskPrioritySchema>;
/** A member's role in a project. */
export type ProjectRole = z.infer<typeof ProjectRoleSchema>;

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
  version: z.int().positive(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  deletedAt: isoDateTime.nullable(),
});
/** The public shape of a task. */
export type TaskSnapshot = z.infer<typeof TaskSnapshotSchema>;

/** Fields of a task whose changes are audited and announced one by one. */
export const TASK_MUTABLE_FIELDS = [
  'title',
  'description',
  'status',
  'priority',
  'assigneeId',
  'dueDate',
  'labels',
  'completedAt',
  'deletedAt',
] as const;
export const TaskFieldSchema = z.enum(TASK_MUTABLE_FIELDS);
/** A task field whose changes are audited. */
export type TaskField = z.infer<typeof TaskFieldSchema>;

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

export const UserSnapshotSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  createdAt: isoDateTime,
});
/** The public shape of a user. */
export type UserSnapshot = z.infer<typeof UserSnapshotSchema>;

export const ProjectSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid(),
  createdAt: isoDateTime,
});
