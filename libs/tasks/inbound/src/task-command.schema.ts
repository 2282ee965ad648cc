import {
  BusEventSchema,
  INBOUND_COMMAND_DETAIL_TYPES,
  INBOUND_COMMAND_SOURCE,
} from '@taskflow/platform-event-routing';
import { type TaskPriority, type TaskStatus } from '@taskflow/tasks-domain';
import { pathsWithNul } from '@taskflow/platform-kernel';
import { Email } from '@taskflow/users-domain';
import { z } from 'zod';
import { PermanentEventError } from './event-processing.error';

/**
 * Status spellings the seed's producers use, mapped to Taskflow's statuses (compared trimmed
 * and lower-cased).
 */
export const STATUS_SPELLINGS: Readonly<Record<string, TaskStatus>> = {
  pending: 'pending',
  todo: 'pending',
  'to-do': 'pending',
  open: 'pending',
  'in-progress': 'in_progress',
  in_progress: 'in_progress',
  inprogress: 'in_progress',
  blocked: 'blocked',
  completed: 'completed',
  complete: 'completed',
  done: 'completed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** Priority spellings, mapped to Taskflow's priorities (compared trimmed and lower-cased). */
export const PRIORITY_SPELLINGS: Readonly<Record<string, TaskPriority>> = {
  low: 'low',
  medium: 'medium',
  normal: 'medium',
  high: 'high',
  urgent: 'urgent',
  critical: 'urgent',
};

function spelling<T extends string>(table: Readonly<Record<string, T>>) {
  const accepted = Object.keys(table).join(', ');
  return z.string().transform((raw, context) => {
    const mapped = table[raw.trim().toLowerCase()];
    if (mapped === undefined) {
      context.addIssue({ code: 'custom', message: `"${raw}" is not one of ${accepted}` });
      return z.NEVER;
    }
    return mapped;
  });
}

const StatusSchema = spelling(STATUS_SPELLINGS);
const PrioritySchema = spelling(PRIORITY_SPELLINGS);

/** An e-mail address as the users domain accepts it, so a bad one is refused naming its field. */
const EmailSchema = z
  .string()
  .trim()
  .refine((value) => {
    try {
      Email.create(value);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid e-mail address');

// Only the type is checked here: the tasks domain's one instant rule (`taskInstant`) decides, so
// a bad due date is refused INVALID_FIELD with the same message as over HTTP, naming
// `due_date` (see classifyFailure).
const DueDateSchema = z.string();

/** `taskData` of `task.created`, snake_case as the seed sends it; unknown keys are refused. */
const TaskDataSchema = z.strictObject({
  title: z.string(),
  description: z.string().nullish(),
  priority: PrioritySchema.nullish(),
  status: StatusSchema.nullish(),
  assigned_to: EmailSchema.nullish(),
  created_by: EmailSchema.nullish(),
  project_id: z.uuid().nullish(),
  due_date: DueDateSchema.nullish(),
  labels: z.array(z.string()).nullish(),
});

/** `updates` of `task.updated`: the fields to change, snake_case; at least one. */
const UpdatesSchema = z
  .strictObject({
    title: z.string().optional(),
    description: z.string().optional(),
    priority: PrioritySchema.optional(),
    status: StatusSchema.optional(),
    assigned_to: EmailSchema.nullable().optional(),
    due_date: DueDateSchema.nullable().optional(),
    labels: z.array(z.string()).optional(),
  })
  .refine((updates) => Object.keys(updates).length > 0, 'must change at least one field');

// Detail objects may carry metadata beside the command (timestamps, producer names); only the
// command's own parts are strict.
const CreatedDetailSchema = z.looseObject({
  eventType: z.literal('task.created'),
  taskData: TaskDataSchema,
});
const UpdatedDetailSchema = z.looseObject({
  eventType: z.literal('task.updated'),
  taskId: z.uuid(),
  updates: UpdatesSchema,
  updatedBy: EmailSchema.nullish(),
});
const CompletedDetailSchema = z.looseObject({
  eventType: z.literal('task.completed'),
  taskId: z.uuid(),
  completedBy: EmailSchema.nullish(),
});

/** The inbound event types and the EventBridge detail type each must travel under. */
export const INBOUND_EVENT_TYPES = {
  'task.created': 'Task Created',
  'task.updated': 'Task Updated',
  'task.completed': 'Task Completed',
} as const satisfies Record<string, (typeof INBOUND_COMMAND_DETAIL_TYPES)[number]>;

/** An inbound event type. */
export type InboundEventType = keyof typeof INBOUND_EVENT_TYPES;

/** Task fields as a command sets them, people still named by e-mail. */
export interface TaskFieldsInput {
  readonly title?: string;
  readonly description?: string;
  readonly priority?: TaskPriority;
  readonly status?: TaskStatus;
  /** E-mail of the assignee; null unassigns. */
  readonly assignedTo?: string | null;
  readonly dueDate?: string | null;
  readonly labels?: readonly string[];
}

/** A validated inbound command, in Taskflow's vocabulary. */
export type TaskCommand =
  | {
      readonly type: 'task.created';
      readonly title: string;
      readonly fields: Omit<TaskFieldsInput, 'title'>;
      /** E-mail of the creator; null: the system user. */
      readonly createdBy: string | null;
      /** Null: the default project. */
      readonly projectId: string | null;
    }
  | {
      readonly type: 'task.updated';
      readonly taskId: string;
      readonly fields: TaskFieldsInput;
      readonly updatedBy: string | null;
    }
  | {
      readonly type: 'task.completed';
      readonly taskId: string;
      readonly completedBy: string | null;
    };

/** A parsed inbound event: its bus id (the idempotency key) and its command. */
export interface InboundCommand {
  readonly eventId: string;
  readonly command: TaskCommand;
}

/**
 * Validates an EventBridge event carrying one of the seed's task commands and maps it to a
 * {@link TaskCommand}.
 *
 * @throws PermanentEventError (`INVALID_EVENT` or `UNKNOWN_EVENT`) naming every offending field.
 */
export function parseInboundEvent(event: unknown): InboundCommand {
  const envelope = BusEventSchema.safeParse(event);
  if (!envelope.success) throw invalid('', envelope.error);
  const { id, source, detail } = envelope.data;
  const detailType = envelope.data['detail-type'];
  if (source !== INBOUND_COMMAND_SOURCE) {
    throw new PermanentEventError(
      'UNKNOWN_EVENT',
      `source "${source}" is not ${INBOUND_COMMAND_SOURCE}: the task processor takes no other events`,
    );
  }
  const eventType = detail['eventType'];
  if (typeof eventType !== 'string' || !(eventType in INBOUND_EVENT_TYPES)) {
    throw new PermanentEventError(
      'UNKNOWN_EVENT',
      `detail.eventType: ${JSON.stringify(eventType ?? null)} is not one of ${Object.keys(INBOUND_EVENT_TYPES).join(', ')}`,
    );
  }
  const type = eventType as InboundEventType;
  if (INBOUND_EVENT_TYPES[type] !== detailType) {
    throw new PermanentEventError(
      'INVALID_EVENT',
      `detail-type "${detailType}" does not go with detail.eventType ${type} (expected "${INBOUND_EVENT_TYPES[type]}")`,
    );
  }
  const withNul = pathsWithNul(detail, 'detail');
  if (withNul.length > 0) {
    throw new PermanentEventError(
      'INVALID_EVENT',
      withNul.map((path) => `${path}: must not contain the NUL character`).join('; '),
    );
  }
  return { eventId: id, command: commandOf(type, detail) };
}

function commandOf(type: InboundEventType, detail: Readonly<Record<string, unknown>>): TaskCommand {
  switch (type) {
    case 'task.created': {
      const parsed = CreatedDetailSchema.safeParse(detail);
      if (!parsed.success) throw invalid('detail', parsed.error);
      const data = parsed.data.taskData;
      return {
        type,
        title: data.title,
        fields: {
          ...defined('description', data.description ?? undefined),
          ...defined('priority', data.priority ?? undefined),
          ...defined('status', data.status ?? undefined),
          ...defined('assignedTo', data.assigned_to),
          ...defined('dueDate', data.due_date),
          ...defined('labels', data.labels ?? undefined),
        },
        createdBy: data.created_by ?? null,
        projectId: data.project_id ?? null,
      };
    }
    case 'task.updated': {
      const parsed = UpdatedDetailSchema.safeParse(detail);
      if (!parsed.success) throw invalid('detail', parsed.error);
      const updates = parsed.data.updates;
      return {
        type,
        taskId: parsed.data.taskId,
        fields: {
          ...defined('title', updates.title),
          ...defined('description', updates.description),
          ...defined('priority', updates.priority),
          ...defined('status', updates.status),
          ...defined('assignedTo', updates.assigned_to),
          ...defined('dueDate', updates.due_date),
          ...defined('labels', updates.labels),
        },
        updatedBy: parsed.data.updatedBy ?? null,
      };
    }
    case 'task.completed': {
      const parsed = CompletedDetailSchema.safeParse(detail);
      if (!parsed.success) throw invalid('detail', parsed.error);
      return { type, taskId: parsed.data.taskId, completedBy: parsed.data.completedBy ?? null };
    }
  }
}

/** `{ [key]: value }`, or nothing when the value is undefined (exact optional properties). */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

function invalid(prefix: string, error: z.ZodError): PermanentEventError {
  const issues = error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    return `${path === '' ? 'event' : path}: ${issue.message}`;
  });
  return new PermanentEventError('INVALID_EVENT', `invalid event: ${issues.join('; ')}`);
}
