import { examplePage, json, route, schemas, type Route } from '@taskflow/platform-http';
import type { TaskUseCases } from '@taskflow/tasks-application';
import * as C from './comment.schemas';
import { TASK_EXAMPLES } from './task.openapi';

/** What the comments routes drive. */
export interface CommentRouteDependencies {
  readonly tasks: TaskUseCases;
}

/** The routes of a task's comments. */
export function commentRoutes(d: CommentRouteDependencies): Route[] {
  return [
    route({
      method: 'POST',
      path: '/tasks/{id}/comments',
      operationId: 'addComment',
      summary: 'Comment on a task.',
      tag: 'tasks',
      auth: true,
      params: schemas.IdParams,
      body: C.CreateCommentBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: { description: 'Created', schema: C.CommentResponse } },
      problems: { 400: ['INVALID_FIELD'], 403: ['ROLE_FORBIDDEN'], 404: ['TASK_NOT_FOUND'] },
      examples: {
        request: { body: 'Draft is in the shared folder.' },
        responses: { 201: TASK_EXAMPLES.comment },
      },
      handle: async ({ params, body, context }) =>
        json(201, await d.tasks.comment(params.id, body.body, context)),
    }),
    route({
      method: 'GET',
      path: '/tasks/{id}/comments',
      operationId: 'listComments',
      summary: 'Comments of a task, oldest first.',
      tag: 'tasks',
      auth: true,
      params: schemas.IdParams,
      query: schemas.PageQuery,
      responses: { 200: { description: 'A page of comments', schema: C.CommentPage } },
      problems: { 400: ['INVALID_CURSOR'], 404: ['TASK_NOT_FOUND'] },
      examples: { responses: { 200: examplePage([TASK_EXAMPLES.comment], null) } },
      handle: async ({ params, query, context }) =>
        json(
          200,
          await d.tasks.listComments(params.id, query.limit, query.cursor ?? null, context),
        ),
    }),
  ];
}
