import { problemResponse } from '../problem';

/**
 * Example bodies of the document, by operationId. Every example is checked against its schema
 * (redocly's `no-invalid-media-type-examples`, run by the host's contract test), so an example
 * that drifts from the shape fails the build rather than misleading a reader.
 */

const OWNER_ID = '0f8b5c2e-3a4d-4b6e-9c7f-1a2b3c4d5e6f';
const EDITOR_ID = '5d2c7b1a-8e9f-4a3b-b6c5-d4e3f2a1b0c9';
const PROJECT_ID = '7a1e4f2b-6c3d-4e5f-8a9b-0c1d2e3f4a5b';
const TASK_ID = '3c9d8e7f-1a2b-4c3d-9e4f-5a6b7c8d9e0f';
const COMMENT_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const AT = '2026-03-02T09:15:00.000Z';
const LATER = '2026-03-02T10:40:12.345Z';

const user = { id: OWNER_ID, name: 'Olive Owner', email: 'olive@example.com', createdAt: AT };
const editor = { id: EDITOR_ID, name: 'Eddie Editor', email: 'eddie@example.com', createdAt: AT };
const project = {
  id: PROJECT_ID,
  name: 'Launch',
  createdBy: OWNER_ID,
  createdAt: AT,
  updatedAt: AT,
  version: 1,
  members: [{ userId: OWNER_ID, role: 'owner', addedAt: AT }],
};
const projectWithEditor = {
  ...project,
  version: 2,
  updatedAt: LATER,
  members: [...project.members, { userId: EDITOR_ID, role: 'editor', addedAt: LATER }],
};
const task = {
  id: TASK_ID,
  projectId: PROJECT_ID,
  title: 'Write the launch plan',
  description: 'One page: goals, dates, owners.',
  status: 'pending',
  priority: 'high',
  assigneeId: EDITOR_ID,
  createdBy: OWNER_ID,
  dueDate: '2026-03-20T17:00:00.000Z',
  labels: ['planning'],
  version: 1,
  createdAt: AT,
  updatedAt: AT,
  completedAt: null,
  deletedAt: null,
};
const updatedTask = { ...task, status: 'in_progress', version: 2, updatedAt: LATER };
const comment = {
  id: COMMENT_ID,
  taskId: TASK_ID,
  projectId: PROJECT_ID,
  authorId: EDITOR_ID,
  body: 'Draft is in the shared folder.',
  createdAt: LATER,
};
const NEXT = 'eyJpZCI6IjNjOWQ4ZTdmIn0';
const page = (items: readonly unknown[], nextCursor: string | null = NEXT) => ({
  items,
  nextCursor,
});

/** Request body examples. */
export const REQUEST_EXAMPLES: Readonly<Record<string, unknown>> = {
  createUser: { name: 'Eddie Editor', email: 'eddie@example.com' },
  createProject: { name: 'Launch' },
  addProjectMember: { userId: EDITOR_ID, role: 'editor' },
  createTask: {
    projectId: PROJECT_ID,
    title: 'Write the launch plan',
    description: 'One page: goals, dates, owners.',
    priority: 'high',
    assigneeId: EDITOR_ID,
    dueDate: '2026-03-20T17:00:00Z',
    labels: ['planning'],
  },
  updateTask: { status: 'in_progress' },
  addComment: { body: 'Draft is in the shared folder.' },
};

/** Success body examples, by operationId and status. */
export const RESPONSE_EXAMPLES: Readonly<Record<string, Readonly<Record<number, unknown>>>> = {
  getHealth: {
    200: { status: 'ok', database: 'up', version: '0.1.0', region: 'local' },
    503: { status: 'unavailable', database: 'down', version: '0.1.0', region: 'local' },
  },
  getOpenApi: {
    200: { openapi: '3.1.0', info: { title: 'Taskflow API', version: '0.1.0' }, paths: {} },
  },
  createUser: { 201: editor },
  listUsers: { 200: page([user, editor]) },
  getCurrentUser: { 200: user },
  getUser: { 200: editor },
  createProject: { 201: project },
  listProjects: { 200: page([project], null) },
  getProject: { 200: projectWithEditor },
  addProjectMember: { 201: projectWithEditor },
  createStreamTicket: {
    201: {
      ticket: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwZjhiNWMyZSJ9.c2lnbmF0dXJl',
      expiresAt: '2026-03-02T09:16:00.000Z',
      streamUrl: `/projects/${PROJECT_ID}/stream?ticket=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwZjhiNWMyZSJ9.c2lnbmF0dXJl`,
    },
  },
  streamProjectEvents: {
    200: [
      'retry: 2000',
      '',
      'event: stream.open',
      'data: {}',
      '',
      'id: 7342.0b4c3a8e-1f7d-4f11-9a57-3d1e2c4b5a69',
      'event: task.updated',
      `data: {"id":"0b4c3a8e-1f7d-4f11-9a57-3d1e2c4b5a69","type":"task.updated","projectId":"${PROJECT_ID}","data":{"…":"…"}}`,
      '',
      ': heartbeat',
      '',
      '',
    ].join('\n'),
  },
  createTask: { 201: task },
  listTasks: { 200: page([task]) },
  getTask: { 200: task },
  updateTask: { 200: updatedTask },
  getTaskHistory: {
    200: {
      items: [
        { version: 1, action: 'created', actorId: OWNER_ID, at: AT, changes: {} },
        {
          version: 2,
          action: 'updated',
          actorId: EDITOR_ID,
          at: LATER,
          changes: { status: { oldValue: 'pending', newValue: 'in_progress' } },
        },
      ],
    },
  },
  addComment: { 201: comment },
  listComments: { 200: page([comment], null) },
};

/** What a problem of each code typically says (`detail`), for its example. */
const DETAILS: Readonly<Record<string, string>> = {
  VALIDATION_FAILED: 'The request is invalid.',
  MALFORMED_JSON: 'the body is not valid JSON',
  MALFORMED_REQUEST: 'the request body could not be read',
  INVALID_FIELD: 'title: must not be empty',
  INVALID_EMAIL: 'email: must be a valid e-mail address',
  INVALID_CURSOR: 'cursor: is not a cursor this API issued',
  INVALID_IF_MATCH: 'If-Match: must be one ETag as returned by this API, e.g. "3"',
  INVALID_LAST_EVENT_ID: 'Last-Event-ID: is not an event id this stream sent',
  ASSIGNEE_NOT_MEMBER: 'assigneeId: must be a member of the task’s project',
  USER_NOT_FOUND: `user ${EDITOR_ID} not found`,
  TOKEN_MISSING: 'send Authorization: Bearer <token>',
  TOKEN_INVALID: 'the token is not valid',
  TOKEN_EXPIRED: 'the token has expired',
  USER_UNKNOWN: 'the token names no user Taskflow knows',
  EMAIL_NOT_FOUND: 'no user has this e-mail address',
  OWNER_REQUIRED: 'only a project owner may change its members',
  ROLE_FORBIDDEN: 'role viewer may not change tasks in this project',
  PROJECT_NOT_FOUND: `project ${PROJECT_ID} not found`,
  MEMBER_NOT_FOUND: `user ${EDITOR_ID} is not a member of this project`,
  TASK_NOT_FOUND: `task ${TASK_ID} not found`,
  EMAIL_TAKEN: 'a user with this e-mail already exists',
  ALREADY_MEMBER: `user ${EDITOR_ID} is already a member of this project`,
  LAST_OWNER: 'a project must keep at least one owner',
  TASK_ALREADY_COMPLETED: 'a completed task cannot become cancelled; reopen it first',
  TASK_CANCELLED: 'a cancelled task cannot become completed; reopen it first',
  CONCURRENT_MODIFICATION: 'the resource kept changing; retry the request',
  IDEMPOTENCY_IN_FLIGHT: 'a request with this key is still being processed',
  IDEMPOTENCY_KEY_REUSED: 'this Idempotency-Key was used with a different request',
  STALE_VERSION: 'expected version 2 but the current version is 3',
  BODY_TOO_LARGE: 'the body may be at most 1048576 bytes',
  UNSUPPORTED_MEDIA_TYPE: 'send the body as application/json',
  INTERNAL_ERROR: 'an unexpected error occurred',
  SERVICE_UNAVAILABLE: 'the service is temporarily unavailable; retry later',
  STREAMING_NOT_SUPPORTED: 'this deployment delivers live updates over its WebSocket API',
  METHOD_NOT_ALLOWED: 'PUT is not allowed here',
  EXPECTATION_FAILED: 'the only expectation served is 100-continue',
};

/** An example problem of this status and code, built by the same function the server uses. */
export function problemExample(status: number, code: string): unknown {
  const detail = DETAILS[code];
  if (detail === undefined) throw new Error(`examples.ts has no detail for problem code ${code}`);
  const field = /^([A-Za-z-]+): (.*)$/.exec(detail);
  const errors =
    code === 'VALIDATION_FAILED'
      ? [{ path: 'title', message: 'Invalid input: expected string, received number' }]
      : field?.[1] !== undefined && field[2] !== undefined && status === 400
        ? [{ path: field[1], message: field[2] }]
        : undefined;
  return problemResponse(status, code, detail, {
    ...(errors ? { errors } : {}),
    ...(status === 500 ? { requestId: '4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' } : {}),
  }).body;
}
