import {
  authenticatedRoute,
  createdResponse,
  versionedResponse,
  FEATURE_PROBLEMS,
  type Route,
  type StreamTickets,
  examplePage,
  json,
  problemResponse,
  route,
  schemas,
  versionedJson,
} from '@taskflow/platform-http';
import type { ProjectUseCases } from '@taskflow/projects-application';
import { USER_EXAMPLES } from '@taskflow/users-adapters';
import { PROJECT_EXAMPLES } from './project.openapi';
import * as S from './project.schemas';

/** What the projects routes drive. */
export interface ProjectRouteDependencies {
  readonly projects: ProjectUseCases;
  /** Issues short-lived stream tickets. */
  readonly tickets: StreamTickets;
}

const STREAM_TICKET = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwZjhiNWMyZSJ9.c2lnbmF0dXJl';

/** The projects routes: authenticated, under the `projects` tag. */
const projectRoute = authenticatedRoute('projects');

/** The projects routes, their members' and their live streams', in matching order. */
export function projectRoutes(d: ProjectRouteDependencies): Route[] {
  return [
    projectRoute({
      method: 'POST',
      path: '/projects',
      operationId: 'createProject',
      summary: 'Create a project; the caller becomes its owner.',
      body: S.CreateProjectBody,
      requestHeaders: ['Idempotency-Key'],
      responses: { 201: createdResponse(S.ProjectResponse) },
      problems: { 400: ['INVALID_FIELD'] },
      examples: { request: { name: 'Launch' }, responses: { 201: PROJECT_EXAMPLES.project } },
      handle: async ({ body, context }) => {
        const project = await d.projects.create(body, context);
        return versionedJson(201, project, { location: `/projects/${project.id}` });
      },
    }),
    projectRoute({
      method: 'GET',
      path: '/projects',
      operationId: 'listProjects',
      summary: 'The caller’s projects.',
      query: schemas.PageQuery,
      responses: { 200: { description: 'A page of projects', schema: S.ProjectPage } },
      problems: { 400: ['INVALID_CURSOR'] },
      examples: { responses: { 200: examplePage([PROJECT_EXAMPLES.project], null) } },
      handle: async ({ query, context }) =>
        json(200, await d.projects.listMine(query.limit, query.cursor ?? null, context)),
    }),
    projectRoute({
      method: 'GET',
      path: '/projects/{id}',
      operationId: 'getProject',
      summary: 'One of the caller’s projects, with its members.',
      params: schemas.IdParams,
      responses: { 200: versionedResponse('The project', S.ProjectResponse) },
      problems: { 404: ['PROJECT_NOT_FOUND'] },
      examples: { responses: { 200: PROJECT_EXAMPLES.projectWithEditor } },
      handle: async ({ params, context }) =>
        versionedJson(200, await d.projects.get(params.id, context)),
    }),
    projectRoute({
      method: 'POST',
      path: '/projects/{id}/members',
      operationId: 'addProjectMember',
      summary: 'Add a member by `userId` or exact `email` (owners only).',
      params: schemas.IdParams,
      body: S.AddMemberBody,
      requestHeaders: ['Idempotency-Key'],
      responses: {
        201: {
          description: 'Member added; the project',
          schema: S.ProjectResponse,
          headers: ['Location', 'ETag'],
        },
      },
      problems: {
        // The user to add is checked after the caller's authority: an unknown id is a field of the
        // body at fault, an unknown e-mail is a lookup that found nobody.
        400: ['USER_NOT_FOUND', 'INVALID_EMAIL'],
        403: ['OWNER_REQUIRED'],
        404: ['PROJECT_NOT_FOUND', 'EMAIL_NOT_FOUND'],
        409: ['ALREADY_MEMBER', 'CONCURRENT_MODIFICATION'],
      },
      examples: {
        request: { userId: USER_EXAMPLES.editor.id, role: 'editor' },
        responses: { 201: PROJECT_EXAMPLES.projectWithEditor },
      },
      handle: async ({ params, body, context }) => {
        const project = await d.projects.addMember({ projectId: params.id, ...body }, context);
        return versionedJson(201, project, { location: `/projects/${project.id}` });
      },
    }),
    projectRoute({
      method: 'DELETE',
      path: '/projects/{id}/members/{userId}',
      operationId: 'removeProjectMember',
      summary:
        'Remove a member (owners only; never the last owner); their tasks in the project are unassigned.',
      params: S.MemberParams,
      responses: { 204: { description: 'Removed' } },
      problems: {
        403: ['OWNER_REQUIRED'],
        404: ['PROJECT_NOT_FOUND', 'MEMBER_NOT_FOUND'],
        409: ['LAST_OWNER', 'CONCURRENT_MODIFICATION'],
      },
      handle: async ({ params, context }) => {
        await d.projects.removeMember({ projectId: params.id, userId: params.userId }, context);
        return { status: 204, headers: {} };
      },
    }),
    projectRoute({
      method: 'PATCH',
      path: '/projects/{id}/members/{userId}',
      operationId: 'changeProjectMemberRole',
      summary:
        'Give a member another role (owners only; never leaving the project without an owner). The role they already hold changes nothing: the project is answered as it is, at the same version.',
      params: S.MemberParams,
      body: S.ChangeMemberRoleBody,
      responses: { 200: versionedResponse('The project after the change', S.ProjectResponse) },
      problems: {
        403: ['OWNER_REQUIRED'],
        404: ['PROJECT_NOT_FOUND', 'MEMBER_NOT_FOUND'],
        409: ['LAST_OWNER', 'CONCURRENT_MODIFICATION'],
      },
      examples: {
        request: { role: 'viewer' },
        responses: { 200: PROJECT_EXAMPLES.projectWithEditorAsViewer },
      },
      handle: async ({ params, body, context }) =>
        versionedJson(
          200,
          await d.projects.changeMemberRole(
            { projectId: params.id, userId: params.userId, role: body.role },
            context,
          ),
        ),
    }),

    route({
      method: 'POST',
      path: '/projects/{id}/stream-tickets',
      operationId: 'createStreamTicket',
      summary:
        'A ticket to open this project’s event stream without a bearer token in the URL (browsers’ EventSource). Valid, and reusable by reconnects, until the bearer token used here expires (at most 12 h).',
      tag: 'live',
      auth: true,
      params: schemas.IdParams,
      responses: {
        201: {
          description: 'A ticket for GET /projects/{id}/stream?ticket=…',
          schema: S.StreamTicketResponse,
        },
      },
      problems: { 404: ['PROJECT_NOT_FOUND'] },
      examples: {
        responses: {
          201: {
            ticket: STREAM_TICKET,
            expiresAt: '2026-03-02T09:16:00.000Z',
            streamUrl: `/projects/${PROJECT_EXAMPLES.project.id}/stream?ticket=${STREAM_TICKET}`,
          },
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
      params: schemas.IdParams,
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
      problems: {
        400: ['VALIDATION_FAILED', 'INVALID_LAST_EVENT_ID'],
        401: FEATURE_PROBLEMS.bearer[401],
        404: ['PROJECT_NOT_FOUND'],
        // The SSE transport admits a stream itself, and answers its failures like the core does.
        ...FEATURE_PROBLEMS.database,
        501: ['STREAMING_NOT_SUPPORTED'],
      },
      examples: {
        responses: {
          200: [
            'retry: 2000',
            '',
            'event: stream.open',
            'data: {}',
            '',
            'id: 7342.0b4c3a8e-1f7d-4f11-9a57-3d1e2c4b5a69',
            'event: task.updated',
            `data: {"id":"0b4c3a8e-1f7d-4f11-9a57-3d1e2c4b5a69","type":"task.updated","projectId":"${PROJECT_EXAMPLES.project.id}","data":{"…":"…"}}`,
            '',
            ': heartbeat',
            '',
            '',
          ].join('\n'),
        },
      },
      openApi: {
        // The SSE transport authenticates itself (StreamGate), before the HTTP core.
        security: 'bearerOrTicket',
        requestHeaders: ['Last-Event-ID'],
        securityParameters: ['ticket'],
        content: {
          200: {
            mediaType: 'text/event-stream',
            schema: {
              type: 'string',
              description:
                'Server-Sent Events: first `retry:`, then `event: stream.open` once the stream is live; each event as `id:` (its resume position), `event:` (its type) and `data:` (its envelope as JSON); `: heartbeat` comments while idle; `event: stream.end` with a `reason` when the server ends it (membership revoked, shutdown).',
            },
          },
        },
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
  ];
}
