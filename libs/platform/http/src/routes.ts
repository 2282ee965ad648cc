import { createHash } from 'node:crypto';
import type { TaskUseCases } from '@taskflow/tasks-application';
import type { ProjectUseCases } from '@taskflow/projects-application';
import type { UserUseCases } from '@taskflow/users-application';
import type { StreamTickets } from './auth/stream-tickets';
import { problemResponse } from './problem';
import { json, route, type Route } from './route';
import { etagOf, expectedVersionOf } from './preconditions';
import * as S from './schemas';
import type { z } from 'zod';

/** What the routes drive. */
export interface RouteDependencies {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
  /** True when the database answers. */
  readonly databaseUp: () => Promise<boolean>;
  readonly version: string;
  readonly region: string;
  /** The OpenAPI document (built from these same routes). */
  readonly openApi: () => unknown;
  /** Issues short-lived stream tickets. */
  readonly tickets: StreamTickets;
}

const list = (description: string, schema: z.ZodType) => ({ 200: { description, schema } });

/** Every route of the API. Static segments come before parameters (`/users/me` before `/users/{id}`). */
export function buildRoutes(d: RouteDependencies): Route[] {
  let openApiEtag: string | undefined;
  return [
    route({
      method: 'GET',
      path: '/health',
      operationId: 'getHealth',
      summary: 'Liveness and database reachability (no auth).',
      tag: 'system',
      auth: false,
      responses: {
        200: { description: 'Serving', schema: S.HealthResponse },
        503: {
          description: 'Database unreachable',
          schema: S.HealthResponse,
          headers: ['Retry-After'],
        },
      },
      handle: async () => {
        const up = await d.databaseUp();
        return json(
          up ? 200 : 503,
          {
            status: up ? 'ok' : 'unavailable',
            database: up ? 'up' : 'down',
            version: d.version,
            region: d.region,
          },
          // A load balancer or client polling health backs off like for any other 503.
          { 'cache-control': 'no-store', ...(up ? {} : { 'retry-after': '1' }) },
        );
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API’s OpenAPI 3.1 description (no auth).',
      tag: 'system',
      auth: false,
      responses: { 200: { description: 'OpenAPI document', headers: ['ETag'] } },
      // The document changes only with a deployment: clients may keep it and revalidate (304).
      handle: () => {
        const document = d.openApi();
        openApiEtag ??= `"${createHash('sha256').update(JSON.stringify(document)).digest('base64url')}"`;
        return Promise.resolve(
          json(200, document, { etag: openApiEtag, 'cache-control': 'no-cache' }),
        );
      },
    }),

    route({
      method: 'POST',
      path: '/users',
      operationId: 'createUser',
      summary: 'Register a user.',
      tag: 'users',
      auth: true,
      body: S.CreateUserBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: { description: 'Created', schema: S.UserResponse, headers: ['Location'] } },
      handle: async ({ body, context }) => {
        const user = await d.users.register(body, context);
        return json(201, user, { location: `/users/${user.id}` });
      },
    }),
    route({
      method: 'GET',
      path: '/users',
      operationId: 'listUsers',
      summary: 'The caller and the users who share a project with them.',
      tag: 'users',
      auth: true,
      query: S.ListUsersQuery,
      responses: list('A page of users', S.UserPage),
      handle: async ({ query, context }) =>
        json(
          200,
          await d.users.list(
            { limit: query.limit, cursor: query.cursor ?? null, q: query.q ?? null },
            context,
          ),
        ),
    }),
    route({
      method: 'GET',
      path: '/users/me',
      operationId: 'getCurrentUser',
      summary: 'The caller.',
      tag: 'users',
      auth: true,
      responses: { 200: { description: 'The caller', schema: S.UserResponse } },
      handle: async ({ context }) => json(200, await d.users.get(context.actorId, context)),
    }),
    route({
      method: 'GET',
      path: '/users/{id}',
      operationId: 'getUser',
      summary: 'One user: the caller, or someone sharing a project with them (else 404).',
      tag: 'users',
      auth: true,
      params: S.IdParams,
      responses: { 200: { description: 'The user', schema: S.UserResponse } },
      handle: async ({ params, context }) => json(200, await d.users.get(params.id, context)),
    }),

    route({
      method: 'POST',
      path: '/projects',
      operationId: 'createProject',
      summary: 'Create a project; the caller becomes its owner.',
      tag: 'projects',
      auth: true,
      body: S.CreateProjectBody,
      requestHeaders: ['Idempotency-Key'],
      responses: {
        201: { description: 'Created', schema: S.ProjectResponse, headers: ['Location', 'ETag'] },
      },
      handle: async ({ body, context }) => {
        const project = await d.projects.create(body, context);
        return json(201, project, {
          location: `/projects/${project.id}`,
          etag: etagOf(project.version),
        });
      },
    }),
    route({
      method: 'GET',
      path: '/projects',
      operationId: 'listProjects',
      summary: 'The caller’s projects.',
      tag: 'projects',
      auth: true,
      query: S.PageQuery,
      responses: list('A page of projects', S.ProjectPage),
      handle: async ({ query, context }) =>
        json(200, await d.projects.listMine(query.limit, query.cursor ?? null, context)),
    }),
    route({
      method: 'GET',
      path: '/projects/{id}',
      operationId: 'getProject',
      summary: 'One of the caller’s projects, with its members.',
      tag: 'projects',
      auth: true,
      params: S.IdParams,
      responses: {
        200: { description: 'The project', schema: S.ProjectResponse, headers: ['ETag'] },
      },
      handle: async ({ params, context }) => {
        const project = await d.projects.get(params.id, context);
        return json(200, project, { etag: etagOf(project.version) });
      },
    }),
    route({
      method: 'POST',
      path: '/projects/{id}/members',
      operationId: 'addProjectMember',
      summary: 'Add a member by `userId` or exact `email` (owners only).',
      tag: 'projects',
      auth: true,
      params: S.IdParams,
      body: S.AddMemberBody,
      requestHeaders: ['Idempotency-Key'],
      responses: {
        201: {
          description: 'Member added; the project',
          schema: S.ProjectResponse,
          headers: ['Location', 'ETag'],
        },
      },
      handle: async ({ params, body, context }) => {
        const project = await d.projects.addMember({ projectId: params.id, ...body }, context);
        return json(201, project, {
          location: `/projects/${project.id}`,
          etag: etagOf(project.version),
        });
      },
    }),
    route({
      method: 'DELETE',
      path: '/projects/{id}/members/{userId}',
      operationId: 'removeProjectMember',
      summary:
        'Remove a member (owners only; never the last owner); their tasks in the project are unassigned.',
      tag: 'projects',
      auth: true,
      params: S.MemberParams,
      responses: { 204: { description: 'Removed' } },
      handle: async ({ params, context }) => {
        await d.projects.removeMember({ projectId: params.id, userId: params.userId }, context);
        return { status: 204, headers: {} };
      },
    }),

    route({
      method: 'POST',
      path: '/projects/{id}/stream-tickets',
      operationId: 'createStreamTicket',
      summary:
        'A ticket to open this project’s event stream without a bearer token in the URL (browsers’ EventSource). Valid, and reusable by reconnects, until the bearer token used here expires (at most 12 h).',
      tag: 'live',
      auth: true,
      params: S.IdParams,
      responses: {
        201: {
          description: 'A ticket for GET /projects/{id}/stream?ticket=…',
          schema: S.StreamTicketResponse,
        },
      },
      handle: async ({ params, context, identity }) => {
        await d.projects.get(params.id, context);
        const { ticket, expiresAt } = await d.tickets.issue(
          context.actorId,
          params.id,
          identity?.expiresAtMs ?? Date.now(),
        );
        return json(201, {
          ticket,
          expiresAt,
          streamUrl: `/projects/${params.id}/stream?ticket=${encodeURIComponent(ticket)}`,
        });
      },
    }),
    route({
      method: 'GET',
      path: '/projects/{id}/stream',
      operationId: 'streamProjectEvents',
      summary:
        'Server-Sent Events of this project’s events as they commit (members only). Resume with Last-Event-ID; authenticate with a bearer token or ?ticket=.',
      tag: 'live',
      auth: false,
      params: S.IdParams,
      query: S.StreamQuery,
      responses: {
        200: {
          description:
            'text/event-stream: `id:` (resume position), `event:` (event type), `data:` (the event envelope)',
        },
        401: { description: 'Missing or invalid token or ticket' },
        404: { description: 'Unknown project, or not a member' },
        501: { description: 'This deployment streams over its WebSocket API instead' },
      },
      // Streaming transports (the Express host) serve this route before the API sees it.
      handle: () =>
        Promise.resolve(
          problemResponse(
            501,
            'STREAMING_NOT_SUPPORTED',
            'this deployment delivers live updates over its WebSocket API',
          ),
        ),
    }),
    route({
      method: 'POST',
      path: '/tasks',
      operationId: 'createTask',
      summary: 'Create a task in a project the caller may edit.',
      tag: 'tasks',
      auth: true,
      body: S.CreateTaskBody,
      requestHeaders: ['Idempotency-Key'],
      responses: {
        201: { description: 'Created', schema: S.TaskResponse, headers: ['Location', 'ETag'] },
      },
      handle: async ({ body, context }) => {
        const task = await d.tasks.create(body, context);
        return json(201, task, { location: `/tasks/${task.id}`, etag: etagOf(task.version) });
      },
    }),
    route({
      method: 'GET',
      path: '/tasks',
      operationId: 'listTasks',
      summary: 'Tasks across the caller’s projects, newest first.',
      tag: 'tasks',
      auth: true,
      query: S.ListTasksQuery,
      responses: list('A page of tasks', S.TaskPage),
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
              limit: query.limit,
              cursor: query.cursor ?? null,
            },
            context,
          ),
        ),
    }),
    route({
      method: 'GET',
      path: '/tasks/{id}',
      operationId: 'getTask',
      summary: 'One task.',
      tag: 'tasks',
      auth: true,
      params: S.IdParams,
      responses: { 200: { description: 'The task', schema: S.TaskResponse, headers: ['ETag'] } },
      handle: async ({ params, context }) => {
        const task = await d.tasks.get(params.id, context);
        return json(200, task, { etag: etagOf(task.version) });
      },
    }),
    route({
      method: 'PATCH',
      path: '/tasks/{id}',
      operationId: 'updateTask',
      summary: 'Change the fields sent; If-Match makes it conditional on a version.',
      tag: 'tasks',
      auth: true,
      params: S.IdParams,
      body: S.UpdateTaskBody,
      requestHeaders: ['If-Match'],
      responses: {
        200: {
          description: 'The task after the change',
          schema: S.TaskResponse,
          headers: ['ETag'],
        },
      },
      handle: async ({ params, body, context, request }) => {
        const task = await d.tasks.update(
          params.id,
          body,
          expectedVersionOf(request.headers['if-match']),
          context,
        );
        return json(200, task, { etag: etagOf(task.version) });
      },
    }),
    route({
      method: 'DELETE',
      path: '/tasks/{id}',
      operationId: 'deleteTask',
      summary: 'Soft-delete a task (its history is kept); If-Match makes it conditional.',
      tag: 'tasks',
      auth: true,
      params: S.IdParams,
      requestHeaders: ['If-Match'],
      responses: { 204: { description: 'Deleted' } },
      handle: async ({ params, context, request }) => {
        await d.tasks.delete(params.id, expectedVersionOf(request.headers['if-match']), context);
        return { status: 204, headers: {} };
      },
    }),
    route({
      method: 'GET',
      path: '/tasks/{id}/history',
      operationId: 'getTaskHistory',
      summary: 'The audit trail, oldest version first (creation is version 1).',
      tag: 'tasks',
      auth: true,
      params: S.IdParams,
      responses: list('Every version of the task', S.TaskHistory),
      handle: async ({ params, context }) =>
        json(200, { items: await d.tasks.history(params.id, context) }),
    }),
    route({
      method: 'POST',
      path: '/tasks/{id}/comments',
      operationId: 'addComment',
      summary: 'Comment on a task.',
      tag: 'tasks',
      auth: true,
      params: S.IdParams,
      body: S.CreateCommentBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: { description: 'Created', schema: S.CommentResponse } },
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
      params: S.IdParams,
      query: S.PageQuery,
      responses: list('A page of comments', S.CommentPage),
      handle: async ({ params, query, context }) =>
        json(
          200,
          await d.tasks.listComments(params.id, query.limit, query.cursor ?? null, context),
        ),
    }),
  ];
}
