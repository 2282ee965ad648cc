import type { TaskListQuery } from '@taskflow/tasks-domain';

/** The filters of a task listing (a `TaskListQuery` but for its member), all unset: the first 50 live tasks. */
export const NO_TASK_FILTERS: Readonly<Omit<TaskListQuery, 'memberId'>> = {
  projectId: null,
  status: null,
  priority: null,
  assigneeId: null,
  label: null,
  q: null,
  dueBefore: null,
  dueAfter: null,
  limit: 50,
  cursor: null,
};
