import { TaskPrioritySchema, TaskStatusSchema } from '@taskflow/tasks-domain';
import type { OpenApiDocumentation } from '@taskflow/platform-http';
import { PROJECT_EXAMPLES } from '@taskflow/projects-adapters';
import { USER_EXAMPLES } from '@taskflow/users-adapters';
import * as C from './comment.schemas';
import * as S from './task.schemas';

const TASK_ID = '3c9d8e7f-1a2b-4c3d-9e4f-5a6b7c8d9e0f';
const COMMENT_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const AT = '2026-03-02T09:15:00.000Z';
const LATER = '2026-03-02T10:40:12.345Z';
const { owner, editor } = USER_EXAMPLES;

const task = {
  id: TASK_ID,
  projectId: PROJECT_EXAMPLES.project.id,
  title: 'Write the launch plan',
  description: 'One page: goals, dates, owners.',
  status: 'pending',
  priority: 'high',
  assigneeId: editor.id,
  createdBy: owner.id,
  dueDate: '2026-03-20T17:00:00.000Z',
  labels: ['planning'],
  rank: 'N8227557099999',
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  completedAt: null,
  deletedAt: null,
};

/** The task and comment of the document's examples, in the example project. */
export const TASK_EXAMPLES = {
  task,
  updatedTask: { ...task, status: 'in_progress', version: 2, updatedAt: LATER },
  history: [
    { version: 1, action: 'created', actorId: owner.id, at: AT, changes: {} },
    {
      version: 2,
      action: 'updated',
      actorId: editor.id,
      at: LATER,
      changes: { status: { oldValue: 'pending', newValue: 'in_progress' } },
    },
  ],
  comment: {
    id: COMMENT_ID,
    taskId: TASK_ID,
    projectId: PROJECT_EXAMPLES.project.id,
    authorId: editor.id,
    body: 'Draft is in the shared folder.',
    createdAt: LATER,
  },
} as const;

/** What the tasks context adds to the OpenAPI document besides its routes. */
export const TASK_OPENAPI: OpenApiDocumentation = {
  tags: [
    { name: 'tasks', description: 'Tasks of projects, their audit trail and their comments.' },
  ],
  schemas: [
    [TaskStatusSchema, 'TaskStatus'],
    [TaskPrioritySchema, 'TaskPriority'],
    [S.TaskResponse, 'Task'],
    [S.TaskPage, 'TaskPage'],
    [S.HistoryEntrySchema, 'HistoryEntry'],
    [S.TaskHistory, 'TaskHistory'],
    [C.CommentResponse, 'Comment'],
    [C.CommentPage, 'CommentPage'],
  ],
  problemDetails: {
    ASSIGNEE_NOT_MEMBER: 'assigneeId: must be a member of the task’s project',
    TASK_NOT_FOUND: `task ${TASK_ID} not found`,
    TASK_ALREADY_COMPLETED: 'a completed task cannot become cancelled; reopen it first',
    TASK_CANCELLED: 'a cancelled task cannot become completed; reopen it first',
  },
};
