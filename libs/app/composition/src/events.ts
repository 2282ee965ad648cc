import { eventCatalog, type EventEnvelope } from '@taskflow/platform-events';
import { PROJECT_EVENTS } from '@taskflow/projects-domain';
import { TASK_EVENTS } from '@taskflow/tasks-domain';
import { USER_EVENTS } from '@taskflow/users-domain';

/** Every event Taskflow emits, gathered from the contexts that define them. */
export const TASKFLOW_EVENTS = eventCatalog(TASK_EVENTS, USER_EVENTS, PROJECT_EVENTS);

/** Any stored Taskflow event, as the discriminated union of every context's events. */
export type TaskflowEnvelope = EventEnvelope<
  (typeof TASK_EVENTS)[number] | (typeof USER_EVENTS)[number] | (typeof PROJECT_EVENTS)[number]
>;
