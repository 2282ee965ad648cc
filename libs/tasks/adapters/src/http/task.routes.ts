import {
  authenticatedRoute,
  createdResponse,
  versionedResponse,
  examplePage,
  expectedVersionOf,
  json,
  schemas,
  type Route,
  versionedJson,
} from '@taskflow/platform-http';
import type { TaskUseCases } from '@taskflow/tasks-application';
import { TASK_EXAMPLES } from './task.openapi';
import * as S from './task.schemas';

/** What the tasks routes drive. */
export interface TaskRouteDependencies {
  readonly tasks: TaskUseCases;
}

/** The tasks routes: authenticated, under the `tasks` tag. */
const taskRoute = authenticatedRoute('tasks');

/** The tasks routes and their audit trail's, in matching order. */
export function taskRoutes(d: TaskRouteDependencies): Route[] {
  return [
    taskRoute({
      method: 'POST',
      path: '/tasks',
      operationId: 'createTask',
      summary: 'Create a task in a project the caller may edit.',
      body: S.CreateTaskBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: createdResponse(S.TaskResponse) },
      problems: {
        400: ['INVALID_FIELD', 'ASSIGNEE_NOT_MEMBER'],
        403: ['ROLE_FORBIDDEN'],
        404: ['PROJECT_NOT_FOUND'],
      },
      examples: {
        request: {
          projectId: TASK_EXAMPLES.task.projectId,
          title: 'Write the launch plan',
          description: 'One page: goals, dates, owners.',
          priority: 'high',
          assigneeId: TASK_EXAMPLES.task.assigneeId,
          dueDate: '2026-03-20T17:00:00Z',
          labels: ['planning'],
        },
        responses: { 201: TASK_EXAMPLES.task },
      },
      handle: async ({ body, context }) => {
        const task = await d.tasks.create(body, context);
        return versionedJson(201, task, { location: `/tasks/${task.id}` });
      },
    }),
    taskRoute({
      method: 'GET',
      path: '/tasks',
      operationId: 'listTasks',
      summary: 'Tasks across the caller’s projects, newest first or in board order.',
      query: S.ListTasksQuery,
      responses: { 200: { description: 'A page of tasks', schema: S.TaskPage } },
      // Due-date bounds follow the tasks domain's instant rule.
      problems: { 400: ['INVALID_CURSOR', 'INVALID_FIELD'] },
      examples: { responses: { 200: examplePage([TASK_EXAMPLES.task]) } },
      handle: async ({ query, context }) =>
        json(
          200,
          await d.tasks.list(
            {
              projectId: query.projectId ?? null,
              status: query.status ?? null,
              priority: query.priority ?? null,
              assigneeId: query.assigneeId ?? null,
              label: query.label ?? null,
              q: query.q ?? null,
              dueBefore: query.dueBefore ?? null,
              dueAfter: query.dueAfter ?? null,
              order: query.order,
              limit: query.limit,
              cursor: query.cursor ?? null,
            },
            context,
          ),
        ),
    }),
    taskRoute({
      method: 'GET',
      path: '/tasks/{id}',
      operationId: 'getTask',
      summary: 'One task.',
      params: schemas.IdParams,
      responses: { 200: versionedResponse('The task', S.TaskResponse) },
      problems: { 404: ['TASK_NOT_FOUND'] },
      examples: { responses: { 200: TASK_EXAMPLES.task } },
      handle: async ({ params, context }) =>
        versionedJson(200, await d.tasks.get(params.id, context)),
    }),
    taskRoute({
      method: 'PATCH',
      path: '/tasks/{id}',
      operationId: 'updateTask',
      summary: 'Change the fields sent; If-Match makes it conditional on a version.',
      params: schemas.IdParams,
      body: S.UpdateTaskBody,
      requestHeaders: ['If-Match'],
      responses: { 200: versionedResponse('The task after the change', S.TaskResponse) },
      problems: {
        400: ['INVALID_FIELD', 'ASSIGNEE_NOT_MEMBER'],
        403: ['ROLE_FORBIDDEN'],
        404: ['TASK_NOT_FOUND'],
        409: ['TASK_ALREADY_COMPLETED', 'TASK_CANCELLED', 'CONCURRENT_MODIFICATION'],
      },
      examples: {
        request: { status: 'in_progress' },
        responses: { 200: TASK_EXAMPLES.updatedTask },
      },
      handle: async ({ params, body, context, request }) =>
        versionedJson(
          200,
          await d.tasks.update(
            params.id,
            body,
            expectedVersionOf(request.headers['if-match']),
            context,
          ),
        ),
    }),
    taskRoute({
      method: 'DELETE',
      path: '/tasks/{id}',
      operationId: 'deleteTask',
      summary: 'Soft-delete a task (its history is kept); If-Match makes it conditional.',
      params: schemas.IdParams,
      requestHeaders: ['If-Match'],
      responses: { 204: { description: 'Deleted' } },
      problems: {
        403: ['ROLE_FORBIDDEN'],
        404: ['TASK_NOT_FOUND'],
        409: ['CONCURRENT_MODIFICATION'],
      },
      handle: async ({ params, context, request }) => {
        await d.tasks.delete(params.id, expectedVersionOf(request.headers['if-match']), context);
        return { status: 204, headers: {} };
      },
    }),
    taskRoute({
      method: 'GET',
      path: '/tasks/{id}/history',
      operationId: 'getTaskHistory',
      summary: 'The audit trail, oldest version first (creation is version 1).',
      params: schemas.IdParams,
      responses: { 200: { description: 'Every version of the task', schema: S.TaskHistory } },
      problems: { 404: ['TASK_NOT_FOUND'] },
      examples: { responses: { 200: { items: TASK_EXAMPLES.history } } },
      handle: async ({ params, context }) =>
        json(200, { items: await d.tasks.history(params.id, context) }),
    }),
  ];
}
