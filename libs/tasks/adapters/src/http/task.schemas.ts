import { schemas } from '@taskflow/platform-http';
import {
  FieldChangeSchema,
  TASK_DESCRIPTION_MAX,
  TASK_INSTANT_RULE,
  TASK_LABEL_BOUNDS,
  TASK_LABELS_MAX,
  TASK_RANK_MAX,
  TASK_RANK_RULE,
  TASK_TITLE_BOUNDS,
  TaskFieldSchema,
  TaskPrioritySchema,
  TaskSnapshotSchema,
  TaskStatusSchema,
} from '@taskflow/tasks-domain';
import { z } from 'zod';

// An instant a client sends (a due date, a due-date bound). The tasks domain's `taskInstant`
// enforces it, so the same bad value is INVALID_FIELD with the same message here, in the list
// query and in inbound events; the schema checks the type and documents the rule.
const instantInput = z
  .string()
  .meta({ format: 'date-time', description: `Normalised to UTC; ${TASK_INSTANT_RULE}.` });

const taskFields = {
  description: z.string().meta({ maxLength: TASK_DESCRIPTION_MAX }).optional(),
  status: TaskStatusSchema.optional(),
  priority: TaskPrioritySchema.optional(),
  assigneeId: z
    .uuid()
    .nullable()
    .optional()
    .meta({ description: 'A member of the project, or null.' }),
  dueDate: instantInput.nullable().optional(),
  labels: z
    .array(schemas.boundedText(TASK_LABEL_BOUNDS, 'Trimmed; duplicates are dropped.'))
    .meta({ maxItems: TASK_LABELS_MAX })
    .optional(),
  // The tasks domain's `taskRank` enforces it (INVALID_FIELD on rank); the schema documents it.
  rank: z
    .string()
    .meta({
      maxLength: TASK_RANK_MAX,
      description: `Its place in its board column, lowest first; a new task without one goes on top. ${TASK_RANK_RULE}.`,
    })
    .optional(),
};

export const CreateTaskBody = z.strictObject({
  projectId: z.uuid(),
  title: schemas.boundedText(TASK_TITLE_BOUNDS, 'Trimmed.'),
  ...taskFields,
});

export const UpdateTaskBody = z
  .strictObject({
    title: schemas.boundedText(TASK_TITLE_BOUNDS, 'Trimmed.').optional(),
    ...taskFields,
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'send at least one field to change' })
  .meta({ minProperties: 1 });

export const ListTasksQuery = z.strictObject({
  projectId: z.uuid().optional(),
  status: TaskStatusSchema.optional(),
  priority: TaskPrioritySchema.optional(),
  assigneeId: z.uuid().optional(),
  label: z.string().min(1).max(TASK_LABEL_BOUNDS.max).optional(),
  q: z.string().min(1).max(200).optional(),
  dueBefore: instantInput.optional(),
  dueAfter: instantInput.optional(),
  order: z.enum(['newest', 'rank']).default('newest').meta({
    description:
      '`newest` first, or `rank`: a board column’s order (rank, then id, lowest first). A cursor continues only the order that issued it.',
  }),
  limit: schemas.pageLimit,
  cursor: schemas.pageCursor,
});

// Response shapes (documentation only: the server builds them, it does not parse them).
export const TaskResponse = TaskSnapshotSchema;
export const TaskPage = schemas.pageOf(TaskSnapshotSchema);
export const HistoryEntrySchema = z.object({
  version: z.int(),
  action: z.enum(['created', 'updated', 'deleted']),
  actorId: z.uuid().nullable(),
  at: schemas.dateTime,
  changes: z.partialRecord(TaskFieldSchema, FieldChangeSchema),
});
// The whole trail in one answer (a task has one entry per change): no cursor to follow.
export const TaskHistory = z.object({ items: z.array(HistoryEntrySchema) });
