import { problemCodesOf } from '@taskflow/platform-http';
import { type ApiRouteDependencies, apiDocument, apiRoutes, composeCore } from './core';

type Json = Record<string, unknown>;

const at = (value: unknown, ...path: string[]): Json => {
  let node: unknown = value;
  for (const key of path) node = (node as Json | undefined)?.[key];
  if (typeof node !== 'object' || node === null) {
    throw new Error(`nothing at ${path.join('/')}`);
  }
  return node as Json;
};

// The routes only document here: the builder never calls a handler or a dependency.
const routes = apiRoutes({} as ApiRouteDependencies);
const document = apiDocument(routes);

/**
 * Every operation of the API, in the order the router tries them: the first route that matches
 * wins, so static segments come before parameters (`/users/me` before `/users/{id}`).
 */
const OPERATIONS = [
  'GET /health getHealth',
  'GET /openapi.json getOpenApi',
  'POST /users createUser',
  'GET /users listUsers',
  'GET /users/me getCurrentUser',
  'GET /users/{id} getUser',
  'POST /projects createProject',
  'GET /projects listProjects',
  'GET /projects/{id} getProject',
  'POST /projects/{id}/members addProjectMember',
  'DELETE /projects/{id}/members/{userId} removeProjectMember',
  'PATCH /projects/{id}/members/{userId} changeProjectMemberRole',
  'POST /projects/{id}/stream-tickets createStreamTicket',
  'GET /projects/{id}/stream streamProjectEvents',
  'POST /tasks createTask',
  'GET /tasks listTasks',
  'GET /tasks/{id} getTask',
  'PATCH /tasks/{id} updateTask',
  'DELETE /tasks/{id} deleteTask',
  'GET /tasks/{id}/history getTaskHistory',
  'POST /tasks/{id}/comments addComment',
  'GET /tasks/{id}/comments listComments',
];

/** `METHOD path operationId` of each operation of a document, in document order. */
const operationsOf = (doc: Json): string[] =>
  Object.entries(at(doc, 'paths')).flatMap(([path, item]) =>
    Object.entries(item as Json).map(
      ([method, operation]) =>
        `${method.toUpperCase()} ${path} ${String((operation as Json)['operationId'])}`,
    ),
  );

describe('the API routes', () => {
  it('are every context’s, in the order they match', () => {
    expect(routes.map((r) => `${r.method} ${r.path} ${r.operationId}`)).toEqual(OPERATIONS);
  });

  it('are the operations of the document the composed API serves', async () => {
    // Prepare: the document never reaches the persistence (only /health pings it).
    const core = composeCore(
      {} as Parameters<typeof composeCore>[0],
      {
        signingSecret: 'a-test-secret-of-at-least-32-bytes!!',
        jwtIssuer: 'taskflow-test',
        jwtAudience: 'taskflow-api',
        jwks: null,
        region: 'local',
      },
      { error: () => undefined, warn: () => undefined },
    );

    // Act
    const response = await core.api.handle({
      method: 'GET',
      path: '/openapi.json',
      headers: {},
      query: {},
      body: null,
    });

    // Assess
    expect(response.status).toBe(200);
    const served = response.body as Json;
    // Each path's methods are adjacent in OPERATIONS, so grouping by path keeps its order.
    expect(operationsOf(served)).toEqual(OPERATIONS);
    expect(served).toEqual(document);
  });
});

describe('buildOpenApi', () => {
  it('names the shared shapes once and refers to them', () => {
    // Prepare
    const schemas = at(document, 'components', 'schemas');

    // Act
    const getTask = at(document, 'paths', '/tasks/{id}', 'get', 'responses', '200', 'content');

    // Assess
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['Task', 'Project', 'Member', 'User', 'Comment', 'HistoryEntry']),
    );
    expect(at(getTask, 'application/json', 'schema')).toEqual({
      $ref: '#/components/schemas/Task',
    });
    expect(JSON.stringify(at(schemas, 'TaskPage'))).toContain('"$ref":"#/components/schemas/Task"');
  });

  it('requires at least one field in a PATCH /tasks/{id} body', () => {
    const body = at(
      document,
      'paths',
      '/tasks/{id}',
      'patch',
      'requestBody',
      'content',
      'application/json',
      'schema',
    );
    expect(body['minProperties']).toBe(1);
  });

  it('documents the task history without a cursor it never sets', () => {
    const history = at(document, 'components', 'schemas', 'TaskHistory');
    expect(Object.keys(at(history, 'properties'))).toEqual(['items']);
  });

  it('describes the stream as it is served: bearer or ticket, text/event-stream, Last-Event-ID', () => {
    const stream = at(document, 'paths', '/projects/{id}/stream', 'get');
    expect(stream['security']).toEqual([{ bearerAuth: [] }, { streamTicket: [] }]);
    expect(Object.keys(at(stream, 'responses', '200', 'content'))).toEqual(['text/event-stream']);
    const parameters = stream['parameters'] as Json[];
    expect(parameters.map((p) => `${String(p['in'])}:${String(p['name'])}`)).toEqual([
      'path:id',
      'query:lastEventId',
      'header:Last-Event-ID',
    ]);
  });

  it.each([
    ['getProject', 404, ['PROJECT_NOT_FOUND']],
    ['updateTask', 412, ['STALE_VERSION']],
    ['createTask', 422, ['IDEMPOTENCY_KEY_REUSED']],
    ['listUsers', 503, ['SERVICE_UNAVAILABLE']],
  ] as const)('lists the codes %s can answer with %d', (operationId, status, codes) => {
    // Prepare
    const operation = routes.find((r) => r.operationId === operationId);
    if (!operation) throw new Error(`no route ${operationId}`);
    const [path, method] = [operation.path, operation.method.toLowerCase()];

    // Act
    const problem = at(document, 'paths', path, method, 'responses', String(status), 'content');

    // Assess
    expect(problemCodesOf(operation).get(status)).toEqual(codes);
    expect(at(problem, 'application/problem+json', 'schema', 'properties', 'code')).toEqual({
      enum: codes,
    });
  });
});
