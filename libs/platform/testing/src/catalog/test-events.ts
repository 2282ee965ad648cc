import { defineEvent, type EventCatalog, eventCatalog } from '@taskflow/platform-events';
import { z } from 'zod';

const at = z.iso.datetime({ offset: true });
const userId = z.uuid().nullable();

// Platform libraries may not import the contexts that define Taskflow's events, so their specs
// move events of this stand-in catalog: Taskflow's names and detail types, payloads checked only
// as far as the specs need. The real catalog is app-composition's TASKFLOW_EVENTS.
const ROWS: readonly [type: string, detailType: string, data: z.ZodType][] = [
  ['task.created', 'Task Created', z.object({ task: z.looseObject({ id: z.uuid() }) })],
  ['task.updated', 'Task Updated', z.looseObject({ changes: z.record(z.string(), z.unknown()) })],
  ['task.status_changed', 'Task Status Changed', z.object({ from: z.string(), to: z.string() })],
  ['task.assigned', 'Task Assigned', z.object({ from: userId, to: userId })],
  ['task.completed', 'Task Completed', z.object({ completedAt: at, completedBy: z.uuid() })],
  ['task.deleted', 'Task Deleted', z.object({ deletedAt: at })],
  ['comment.added', 'Comment Added', z.looseObject({ commentId: z.uuid(), body: z.string() })],
  ['user.created', 'User Created', z.object({ user: z.looseObject({ id: z.uuid() }) })],
  ['project.created', 'Project Created', z.object({ project: z.looseObject({ id: z.uuid() }) })],
  [
    'project.member_added',
    'Project Member Added',
    z.object({ userId: z.uuid(), role: z.string() }),
  ],
  [
    'project.member_removed',
    'Project Member Removed',
    z.object({ userId: z.uuid(), role: z.string() }),
  ],
  [
    'project.member_role_changed',
    'Project Member Role Changed',
    z.object({ userId: z.uuid(), from: z.string(), to: z.string() }),
  ],
];

/** A catalog with Taskflow's event names and detail types, for the platform libraries' specs. */
export const TEST_EVENTS: EventCatalog = eventCatalog(
  ROWS.map(([type, detailType, data]) =>
    defineEvent({ type, schemaVersion: 1, detailType, description: `${detailType} (test)`, data }),
  ),
);
