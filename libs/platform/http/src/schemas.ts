import {
  ProjectRoleSchema,
  TaskPrioritySchema,
  TaskSnapshotSchema,
  TaskStatusSchema,
  TaskFieldSchema,
  FieldChangeSchema,
  UserSnapshotSchema,
} from '@taskflow/platform-events';
import { PROJECT_NAME_BOUNDS } from '@taskflow/projects-domain';
import { PAGE_LIMIT } from '@taskflow/platform-kernel';
import {
  COMMENT_BODY_BOUNDS,
  TASK_DESCRIPTION_MAX,
  TASK_INSTANT_RULE,
  TASK_LABELS_MAX,
  TASK_LABEL_BOUNDS,
  TASK_TITLE_BOUNDS,
} from '@taskflow/tasks-domain';
import { EMAIL_MAX_LENGTH, USER_NAME_BOUNDS } from '@taskflow/users-domain';
import { z } from 'zod';

// Lengths are enforced by the domain (which trims first and counts characters, not UTF-16
// units); the schemas state them for the OpenAPI description and check shape and types.
const text = (bounds: { min: number; max: number }, description: string) =>
  z.string().meta({ minLength: bounds.min, maxLength: bounds.max, description });

const dateTime = z.iso.datetime({ offset: true });

// An instant a client sends (a due date, a due-date bound). The tasks domain's `taskInstant`
// enforces it, so the same bad value is INVALID_FIELD with the same message here, in the list
// query and in inbound events; the schema checks the type and documents the rule.
const instantInput = z
  .string()
  .meta({ format: 'date-time', description: `Normalised to UTC; ${TASK_INSTANT_RULE}.` });

export const IdParams = z.strictObject({ id: z.uuid() });
export const MemberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

const limit = z.coerce
  .number()
  .int()
  .min(PAGE_LIMIT.min)
  .max(PAGE_LIMIT.max)
  .default(PAGE_LIMIT.default)
  .meta({ description: `Page size, ${PAGE_LIMIT.min}–${PAGE_LIMIT.max}.` });
const cursor = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .meta({ description: 'The `nextCursor` of the previous page.' });

export const PageQuery = z.strictObject({ limit, cursor });

export const CreateUserBody = z.strictObject({
  name: text(USER_NAME_BOUNDS, 'Display name, trimmed.'),
  email: z.string().meta({
    maxLength: EMAIL_MAX_LENGTH,
    format: 'email',
    description: 'Unique, case-insensitively.',
  }),
});
export const ListUsersQuery = z.strictObject({
  limit,
  cursor,
  q: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Substring of the name or e-mail, any case.' }),
});

export const CreateProjectBody = z.strictObject({
  name: text(PROJECT_NAME_BOUNDS, 'Project name, trimmed.'),
});
/** A member named by id or by exact e-mail: exactly one of the two. */
export const AddMemberBody = z
  .strictObject({
    userId: z.uuid().optional().meta({ description: 'The user to add; or send `email`.' }),
    email: z.string().optional().meta({
      maxLength: EMAIL_MAX_LENGTH,
      format: 'email',
      description: 'The exact e-mail (any case) of the user to add; or send `userId`.',
    }),
    role: ProjectRoleSchema,
  })
  // Narrowed to one of the two shapes the projects use cases take.
  .transform(({ userId, email, role }, context) => {
    if (userId !== undefined && email === undefined) return { userId, role };
    if (email !== undefined && userId === undefined) return { email, role };
    context.addIssue({
      code: 'custom',
      path: [email === undefined ? 'userId' : 'email'],
      message: email === undefined ? 'send userId or email' : 'send userId or email, not both',
    });
    return z.NEVER;
  });

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
    .array(text(TASK_LABEL_BOUNDS, 'Trimmed; duplicates are dropped.'))
    .meta({ maxItems: TASK_LABELS_MAX })
    .optional(),
};

export const CreateTaskBody = z.strictObject({
  projectId: z.uuid(),
  title: text(TASK_TITLE_BOUNDS, 'Trimmed.'),
  ...taskFields,
});

export const UpdateTaskBody = z
  .strictObject({ title: text(TASK_TITLE_BOUNDS, 'Trimmed.').optional(), ...taskFields })
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
  limit,
  cursor,
});

export const StreamTicketResponse = z.object({
  ticket: z.string(),
  expiresAt: dateTime,
  streamUrl: z.string(),
});
export const StreamQuery = z.strictObject({
  ticket: z
    .string()
    .optional()
    .meta({ description: 'A stream ticket (POST /projects/{id}/stream-tickets).' }),
  lastEventId: z
    .string()
    .optional()
    .meta({ description: 'Resume position, for clients that cannot send Last-Event-ID.' }),
});

export const CreateCommentBody = z.strictObject({ body: text(COMMENT_BODY_BOUNDS, 'Trimmed.') });

// Response shapes (documentation only: the server builds them, it does not parse them).
const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const UserResponse = UserSnapshotSchema;
export const UserPage = pageOf(UserSnapshotSchema);
const MemberSchema = z.object({ userId: z.uuid(), role: ProjectRoleSchema, addedAt: dateTime });
export const ProjectResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid(),
  createdAt: dateTime,
  updatedAt: dateTime,
  version: z.int(),
  members: z.array(MemberSchema),
});
export const ProjectPage = pageOf(ProjectResponse);
export const TaskResponse = TaskSnapshotSchema;
export const TaskPage = pageOf(TaskSnapshotSchema);
export const HistoryEntrySchema = z.object({
  version: z.int(),
  action: z.enum(['created', 'updated', 'deleted']),
  actorId: z.uuid().nullable(),
  at: dateTime,
  changes: z.partialRecord(TaskFieldSchema, FieldChangeSchema),
});
// The whole trail in one answer (a task has one entry per change): no cursor to follow.
export const TaskHistory = z.object({ items: z.array(HistoryEntrySchema) });
export const CommentResponse = z.object({
  id: z.uuid(),
  taskId: z.uuid(),
  projectId: z.uuid(),
  authorId: z.uuid(),
  body: z.string(),
  createdAt: dateTime,
});
export const CommentPage = pageOf(CommentResponse);
export const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  database: z.enum(['up', 'down']),
  version: z.string(),
  region: z.string(),
});
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  instance: z.string().optional(),
});
