import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ContractChecker, type WireResponse, rawRequest, wireOf } from './testing/contract';
import { openSse } from './testing/sse-client';
import { type Login, seedTeam } from './testing/fixtures';
import { asRecord } from './testing/responses';
import { type TestHost, cutDatabase, useTestHost } from './testing/test-host';

const REPO_ROOT = resolve(__dirname, '../../..');
const run = promisify(execFile);

/**
 * Documented (operation, status) pairs no request to the Express host can produce, and why.
 * The coverage check below fails for any other pair no test produced.
 */
const NOT_PRODUCIBLE_OVER_HTTP: Readonly<Record<string, string>> = {};

/** A valid request of each operation, for the statuses every operation shares. */
interface Sample {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

describe('the OpenAPI contract, over real HTTP', () => {
  const t = useTestHost('contract');
  let document: Record<string, unknown>;
  let contract: ContractChecker;
  let admin: Client;
  let database: string;
  let owner: Login;
  let editor: Login;
  let viewer: Login;
  let stranger: Login;
  let projectId: string;
  let taskId: string;

  beforeAll(async () => {
    document = asRecord((await t.request('GET', '/openapi.json')).body);
    contract = new ContractChecker(document);
    database = new URL(t.host.config.databaseUrl ?? '').pathname.slice(1);
    admin = new Client({ connectionString: process.env['TASKFLOW_TEST_DATABASE_URL'] });
    await admin.connect();
    ({ owner, editor, viewer, stranger, projectId } = await seedTeam(t, 'Contract'));
    taskId = String(asRecord((await newTask()).body)['id']);
  });

  afterAll(async () => {
    await admin.end();
  });

  /** A request of the project's owner. */
  const asOwner: TestHost['request'] = (method, path, options = {}) =>
    t.request(method, path, { token: owner.token, ...options });

  const newTask = (body: Record<string, unknown> = {}) =>
    asOwner('POST', '/tasks', { body: { projectId, title: 'A task', ...body } });

  /** Asserts the status, then that the response is one the document allows; returns the body. */
  const expectContract = (
    operationId: string,
    status: number,
    response: WireResponse,
  ): Record<string, unknown> => {
    if (response.status !== status) {
      throw new Error(
        `${operationId}: expected ${String(status)}, got ${String(response.status)} ${response.text.slice(0, 300)}`,
      );
    }
    const body = contract.check(operationId, response);
    const record =
      body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    // A versioned resource's ETag is its version: what If-Match is compared with.
    const etag = response.headers.get('etag');
    if (etag !== null && typeof record['version'] === 'number') {
      expect(etag).toBe(`"${String(record['version'])}"`);
    }
    return record;
  };

  /** An operation, the status it must answer, and the request someone sends it. */
  type Exchange = readonly [
    operationId: string,
    status: number,
    who: Login,
    method: string,
    path: string,
    options?: { readonly body?: unknown; readonly headers?: Record<string, string> },
  ];
  /** Sends each request in turn and checks its response against the contract. */
  const expectContracts = async (exchanges: readonly Exchange[]): Promise<void> => {
    for (const [operationId, status, who, method, path, options] of exchanges) {
      expectContract(
        operationId,
        status,
        await t.request(method, path, { token: who.token, ...options }),
      );
    }
  };

  const samples = (): Record<string, Sample> => ({
    getHealth: { method: 'GET', path: '/health' },
    getOpenApi: { method: 'GET', path: '/openapi.json' },
    createUser: {
      method: 'POST',
      path: '/users',
      body: { name: 'New', email: `${randomUUID()}@example.com` },
    },
    devSignIn: {
      method: 'POST',
      path: '/dev/sign-in',
      body: { name: 'New', email: `${randomUUID()}@example.com` },
    },
    listUsers: { method: 'GET', path: '/users' },
    getCurrentUser: { method: 'GET', path: '/users/me' },
    getUser: { method: 'GET', path: `/users/${owner.userId}` },
    createProject: { method: 'POST', path: '/projects', body: { name: 'Another' } },
    listProjects: { method: 'GET', path: '/projects' },
    getProject: { method: 'GET', path: `/projects/${projectId}` },
    addProjectMember: {
      method: 'POST',
      path: `/projects/${projectId}/members`,
      body: { userId: stranger.userId, role: 'viewer' },
    },
    removeProjectMember: {
      method: 'DELETE',
      path: `/projects/${projectId}/members/${viewer.userId}`,
    },
    // The role the editor holds: a no-op, so that the shared statuses' requests change nothing.
    changeProjectMemberRole: {
      method: 'PATCH',
      path: `/projects/${projectId}/members/${editor.userId}`,
      body: { role: 'editor' },
    },
    createStreamTicket: { method: 'POST', path: `/projects/${projectId}/stream-tickets` },
    streamProjectEvents: { method: 'GET', path: `/projects/${projectId}/stream` },
    createTask: { method: 'POST', path: '/tasks', body: { projectId, title: 'Sampled' } },
    listTasks: { method: 'GET', path: '/tasks' },
    getTask: { method: 'GET', path: `/tasks/${taskId}` },
    updateTask: { method: 'PATCH', path: `/tasks/${taskId}`, body: { priority: 'low' } },
    deleteTask: { method: 'DELETE', path: `/tasks/${taskId}` },
    getTaskHistory: { method: 'GET', path: `/tasks/${taskId}/history` },
    addComment: { method: 'POST', path: `/tasks/${taskId}/comments`, body: { body: 'Hi' } },
    listComments: { method: 'GET', path: `/tasks/${taskId}/comments` },
  });

  const sampleOf = (operationId: string): Sample => {
    const sample = samples()[operationId];
    if (!sample) throw new Error(`no sample request for ${operationId}`);
    const documented = contract.operation(operationId);
    // The sample must be a request of the operation it stands for.
    expect(`${sample.method} ${documented.path}`).toBe(`${documented.method} ${documented.path}`);
    return sample;
  };

  const send = (sample: Sample, token?: string) =>
    t.request(sample.method, sample.path, {
      ...(token === undefined ? {} : { token }),
      ...(sample.body === undefined ? {} : { body: sample.body }),
    });

  const documenting = (status: string) =>
    contract.operations.filter((o) => contract.statusesOf(o.operationId).includes(status));

  /** Adds a trigger that makes every `event` on `table` write nothing, as if another writer won. */
  const skippingWrites = async <T>(
    table: string,
    event: 'INSERT' | 'UPDATE',
    body: () => Promise<T>,
  ): Promise<T> => {
    const db = new Client({ connectionString: t.host.config.databaseUrl ?? '' });
    await db.connect();
    try {
      await db.query(
        'CREATE OR REPLACE FUNCTION contract_skip_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$',
      );
      await db.query(
        `CREATE TRIGGER contract_skip BEFORE ${event} ON ${table} FOR EACH ROW EXECUTE FUNCTION contract_skip_write()`,
      );
      try {
        return await body();
      } finally {
        await db.query(`DROP TRIGGER contract_skip ON ${table}`);
      }
    } finally {
      await db.end();
    }
  };

  /**
   * Runs `body` while the host's new sessions look for their tables in a schema that does not
   * exist (its current sessions are ended, so every session is a new one).
   */
  const withoutTables = async (body: () => Promise<void>) => {
    const terminate = () =>
      admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
    await admin.query(`ALTER DATABASE "${database}" SET search_path TO contract_nowhere`);
    await terminate();
    try {
      await body();
    } finally {
      await admin.query(`ALTER DATABASE "${database}" RESET search_path`);
      await terminate();
    }
  };

  describe('the document', () => {
    it('passes redocly lint (recommended) with no error and no warning', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'taskflow-openapi-'));
      try {
        const file = join(dir, 'openapi.json');
        await writeFile(file, JSON.stringify(document));
        const { stdout } = await run(
          join(REPO_ROOT, 'node_modules/.bin/redocly'),
          ['lint', file, '--config', join(REPO_ROOT, 'redocly.yaml'), '--format=json'],
          {
            env: {
              ...process.env,
              REDOCLY_TELEMETRY: 'off',
              REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            },
            maxBuffer: 16 * 1024 * 1024,
          },
          // A failing lint exits non-zero; its report is still on stdout.
        ).catch((error: unknown) => {
          const { stdout } = error as { stdout?: unknown };
          return { stdout: typeof stdout === 'string' ? stdout : '' };
        });
        const report = JSON.parse(stdout) as {
          totals: { errors: number; warnings: number };
          problems: { ruleId: string; message: string }[];
        };
        expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
        expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('has an example for every request and response body', () => {
      const bodies = contract.operations.flatMap(({ operationId, operation }) => [
        ...(operation['requestBody'] === undefined
          ? []
          : [[`${operationId} request`, asRecord(operation['requestBody'])] as const]),
        ...Object.entries(asRecord(operation['responses'])).map(
          ([status, response]) => [`${operationId} ${status}`, asRecord(response)] as const,
        ),
      ]);
      const missing = bodies.flatMap(([where, body]) =>
        Object.entries(body['content'] === undefined ? {} : asRecord(body['content']))
          .filter(([, media]) => {
            const { example, examples } = asRecord(media);
            return example === undefined && examples === undefined;
          })
          .map(([mediaType]) => `${where} ${mediaType}`),
      );
      expect(bodies.length).toBeGreaterThan(contract.operations.length);
      expect(missing).toEqual([]);
    });

    it('uses every component (redocly.yaml leaves that rule to this test)', () => {
      // MethodNotAllowed answers methods a path does not have: no operation can refer to it.
      const refs = new Set(JSON.stringify(document).match(/#\/components\/[^"]+/g));
      const components = asRecord(document['components']);
      const unused = ['schemas', 'responses', 'headers'].flatMap((kind) =>
        Object.keys(asRecord(components[kind]))
          .map((name) => `#/components/${kind}/${name}`)
          .filter((ref) => !refs.has(ref) && ref !== '#/components/responses/MethodNotAllowed'),
      );
      expect(unused).toEqual([]);
    });
  });

  describe('each operation’s own responses', () => {
    it('system: getHealth 200, getOpenApi 200', async () => {
      expectContract('getHealth', 200, await t.request('GET', '/health'));
      // Every route refuses query parameters it does not know.
      const unknown = expectContract('getHealth', 400, await t.request('GET', '/health?verbose=1'));
      expect(unknown['errors']).toEqual([{ path: 'verbose', message: 'unknown parameter' }]);
      expectContract('getOpenApi', 200, await t.request('GET', '/openapi.json'));
    });

    it('createUser: 201, a replay, 400, 409 EMAIL_TAKEN, 422', async () => {
      const key = randomUUID();
      const body = { name: 'Nina New', email: 'nina@example.com' };
      const headers = { 'idempotency-key': key };
      expectContract('createUser', 201, await asOwner('POST', '/users', { body, headers }));
      const replay = await asOwner('POST', '/users', { body, headers });
      expectContract('createUser', 201, replay);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      const invalid = expectContract(
        'createUser',
        400,
        await asOwner('POST', '/users', { body: { name: 'X', email: 'nope' } }),
      );
      expect(invalid['code']).toBe('INVALID_EMAIL');
      const taken = expectContract(
        'createUser',
        409,
        await asOwner('POST', '/users', { body: { name: 'X', email: 'NINA@example.com' } }),
      );
      expect(taken['code']).toBe('EMAIL_TAKEN');
      expectContract(
        'createUser',
        422,
        await asOwner('POST', '/users', { body: { ...body, name: 'Someone else' }, headers }),
      );
    });

    it('devSignIn (the local host in its default set-up): 200, 400', async () => {
      const body = { name: 'Dana Dev', email: 'dana.dev@example.com' };
      expectContract('devSignIn', 200, await t.request('POST', '/dev/sign-in', { body }));
      const invalid = expectContract(
        'devSignIn',
        400,
        await t.request('POST', '/dev/sign-in', { body: { name: 'X', email: 'nope' } }),
      );
      expect(invalid['code']).toBe('INVALID_EMAIL');
    });

    it('listUsers, getCurrentUser, getUser: 200, 400, 404', async () => {
      expectContract('listUsers', 200, await asOwner('GET', '/users?limit=2'));
      expectContract('listUsers', 400, await asOwner('GET', '/users?limit=0'));
      expectContract('getCurrentUser', 200, await asOwner('GET', '/users/me'));
      // A valid signature on a token whose user does not exist.
      const ghost = await t.host.tokens.issue(
        { id: randomUUID(), email: 'ghost@example.com', name: 'Ghost' },
        60,
      );
      const unknown = expectContract(
        'getCurrentUser',
        401,
        await t.request('GET', '/users/me', { token: ghost }),
      );
      expect(unknown['code']).toBe('USER_UNKNOWN');
      expectContract('getUser', 200, await asOwner('GET', `/users/${editor.userId}`));
      expectContract('getUser', 400, await asOwner('GET', '/users/not-a-uuid'));
      expectContract('getUser', 404, await asOwner('GET', `/users/${randomUUID()}`));
      // Someone who shares no project with the caller is not visible to them.
      const { userId: loner } = await t.login('loner@example.com');
      expectContract('getUser', 404, await asOwner('GET', `/users/${loner}`));
    });

    it('createProject, listProjects, getProject: 201, 200, 400, 404, 422', async () => {
      const key = { 'idempotency-key': randomUUID() };
      expectContract(
        'createProject',
        201,
        await asOwner('POST', '/projects', { body: { name: 'P2' }, headers: key }),
      );
      expectContract(
        'createProject',
        422,
        await asOwner('POST', '/projects', { body: { name: 'P3' }, headers: key }),
      );
      expectContract(
        'createProject',
        400,
        await asOwner('POST', '/projects', { body: { name: '   ' } }),
      );
      const first = expectContract('listProjects', 200, await asOwner('GET', '/projects?limit=1'));
      expect(first['nextCursor']).toEqual(expect.any(String));
      expectContract('listProjects', 400, await asOwner('GET', '/projects?cursor=forged'));
      expectContract('getProject', 200, await asOwner('GET', `/projects/${projectId}`));
      expectContract('getProject', 400, await asOwner('GET', '/projects/x'));
      expectContract(
        'getProject',
        404,
        await t.request('GET', `/projects/${projectId}`, { token: stranger.token }),
      );
    });

    it('addProjectMember: 201, 400 USER_NOT_FOUND, 403, 404, 409 ALREADY_MEMBER, 422', async () => {
      const path = `/projects/${projectId}/members`;
      const { userId } = await t.login('late@example.com');
      const key = { 'idempotency-key': randomUUID() };
      expectContract(
        'addProjectMember',
        201,
        await asOwner('POST', path, { body: { userId, role: 'viewer' }, headers: key }),
      );
      expectContract(
        'addProjectMember',
        422,
        await asOwner('POST', path, { body: { userId, role: 'editor' }, headers: key }),
      );
      const unknown = expectContract(
        'addProjectMember',
        400,
        await asOwner('POST', path, { body: { userId: randomUUID(), role: 'viewer' } }),
      );
      expect(unknown['code']).toBe('USER_NOT_FOUND');
      expectContract(
        'addProjectMember',
        403,
        await t.request('POST', path, { token: editor.token, body: { userId, role: 'viewer' } }),
      );
      expectContract(
        'addProjectMember',
        404,
        await t.request('POST', path, { token: stranger.token, body: { userId, role: 'viewer' } }),
      );
      const again = expectContract(
        'addProjectMember',
        409,
        await asOwner('POST', path, { body: { userId, role: 'viewer' } }),
      );
      expect(again['code']).toBe('ALREADY_MEMBER');
      // By e-mail, any case: the user is found; an address nobody has is a 404.
      await t.login('by-mail@example.com');
      expectContract(
        'addProjectMember',
        201,
        await asOwner('POST', path, { body: { email: 'BY-MAIL@example.com', role: 'viewer' } }),
      );
      const nobody = expectContract(
        'addProjectMember',
        404,
        await asOwner('POST', path, { body: { email: 'nobody@example.com', role: 'viewer' } }),
      );
      expect(nobody['code']).toBe('EMAIL_NOT_FOUND');
      expectContract(
        'addProjectMember',
        400,
        await asOwner('POST', path, {
          body: { userId, email: 'by-mail@example.com', role: 'viewer' },
        }),
      );
    });

    it('removeProjectMember: 204, 400, 403, 404 MEMBER_NOT_FOUND, 409 LAST_OWNER', async () => {
      const { userId } = await t.login('leaving@example.com');
      const base = `/projects/${projectId}/members`;
      await asOwner('POST', base, { body: { userId, role: 'viewer' } });
      expectContract(
        'removeProjectMember',
        403,
        await t.request('DELETE', `${base}/${userId}`, { token: editor.token }),
      );
      expectContract('removeProjectMember', 204, await asOwner('DELETE', `${base}/${userId}`));
      const gone = expectContract(
        'removeProjectMember',
        404,
        await asOwner('DELETE', `${base}/${userId}`),
      );
      expect(gone['code']).toBe('MEMBER_NOT_FOUND');
      expectContract('removeProjectMember', 400, await asOwner('DELETE', `${base}/not-a-uuid`));
      const last = expectContract(
        'removeProjectMember',
        409,
        await asOwner('DELETE', `${base}/${owner.userId}`),
      );
      expect(last['code']).toBe('LAST_OWNER');
    });

    it('changeProjectMemberRole: 200, 400, 403, 404 MEMBER_NOT_FOUND, 409 LAST_OWNER and CONCURRENT_MODIFICATION', async () => {
      const { userId } = await t.login('promoted@example.com');
      const base = `/projects/${projectId}/members`;
      await asOwner('POST', base, { body: { userId, role: 'viewer' } });
      const path = `${base}/${userId}`;
      const promoted = expectContract(
        'changeProjectMemberRole',
        200,
        await asOwner('PATCH', path, { body: { role: 'editor' } }),
      );
      expect(promoted['members']).toContainEqual(
        expect.objectContaining({ userId, role: 'editor' }),
      );
      // The role they hold: the same project at the same version (ETag).
      const same = expectContract(
        'changeProjectMemberRole',
        200,
        await asOwner('PATCH', path, { body: { role: 'editor' } }),
      );
      expect(same['version']).toBe(promoted['version']);
      await expectContracts([
        ['changeProjectMemberRole', 400, owner, 'PATCH', path, { body: { role: 'admin' } }],
        ['changeProjectMemberRole', 400, owner, 'PATCH', `${base}/x`, { body: { role: 'viewer' } }],
        ['changeProjectMemberRole', 403, editor, 'PATCH', path, { body: { role: 'viewer' } }],
        ['changeProjectMemberRole', 404, stranger, 'PATCH', path, { body: { role: 'viewer' } }],
      ]);
      const notMember = expectContract(
        'changeProjectMemberRole',
        404,
        await asOwner('PATCH', `${base}/${stranger.userId}`, { body: { role: 'viewer' } }),
      );
      expect(notMember['code']).toBe('MEMBER_NOT_FOUND');
      const last = expectContract(
        'changeProjectMemberRole',
        409,
        await asOwner('PATCH', `${base}/${owner.userId}`, { body: { role: 'editor' } }),
      );
      expect(last['code']).toBe('LAST_OWNER');
      // Another writer wins every round: the server's own retries run out.
      const lost = await skippingWrites('projects', 'UPDATE', async () =>
        expectContract(
          'changeProjectMemberRole',
          409,
          await asOwner('PATCH', path, { body: { role: 'viewer' } }),
        ),
      );
      expect(lost['code']).toBe('CONCURRENT_MODIFICATION');
      await asOwner('DELETE', path);
    });

    it('createStreamTicket and streamProjectEvents: 201, 200 text/event-stream, 400, 401, 404', async () => {
      const ticket = expectContract(
        'createStreamTicket',
        201,
        await t.request('POST', `/projects/${projectId}/stream-tickets`, { token: viewer.token }),
      );
      expectContract(
        'createStreamTicket',
        400,
        await t.request('POST', '/projects/x/stream-tickets', { token: viewer.token }),
      );
      expectContract(
        'createStreamTicket',
        404,
        await t.request('POST', `/projects/${projectId}/stream-tickets`, { token: stranger.token }),
      );
      for (const [url, headers] of [
        [`${t.url}${String(ticket['streamUrl'])}`, {}],
        [`${t.url}/projects/${projectId}/stream`, { authorization: `Bearer ${owner.token}` }],
      ] as const) {
        const stream = await openSse(url, headers);
        try {
          expectContract('streamProjectEvents', 200, { ...stream, text: '' });
          await stream.waitFor(1, 'stream.open');
        } finally {
          stream.close();
        }
      }
      const stream = `/projects/${projectId}/stream`;
      const badCursor = expectContract(
        'streamProjectEvents',
        400,
        await asOwner('GET', stream, { headers: { 'last-event-id': 'nope' } }),
      );
      expect(badCursor['code']).toBe('INVALID_LAST_EVENT_ID');
      expectContract('streamProjectEvents', 400, await t.request('GET', '/projects/x/stream'));
      expectContract('streamProjectEvents', 401, await t.request('GET', stream));
      expectContract('streamProjectEvents', 401, await t.request('GET', `${stream}?ticket=forged`));
      expectContract(
        'streamProjectEvents',
        404,
        await t.request('GET', stream, { token: stranger.token }),
      );
    });

    it('streamProjectEvents 501: what the API core answers where no SSE transport serves the route (Lambda)', async () => {
      // The Lambda deployment runs the same HttpApi without the SSE transport in front of it.
      const response = await t.host.api.handle({
        method: 'GET',
        path: `/projects/${projectId}/stream`,
        query: {},
        headers: { authorization: `Bearer ${owner.token}` },
        body: null,
      });
      expectContract('streamProjectEvents', 501, wireOf(response));
    });

    it('createTask, listTasks, getTask: 201, 200, 400, 403, 404, 422', async () => {
      const key = { 'idempotency-key': randomUUID() };
      const body = { projectId, title: 'Keyed', labels: ['x'] };
      expectContract(
        'createTask',
        201,
        await t.request('POST', '/tasks', { token: editor.token, body, headers: key }),
      );
      expectContract(
        'createTask',
        422,
        await t.request('POST', '/tasks', {
          token: editor.token,
          body: { ...body, title: 'Other' },
          headers: key,
        }),
      );
      const notMember = expectContract(
        'createTask',
        400,
        await asOwner('POST', '/tasks', {
          body: { projectId, title: 'T', assigneeId: stranger.userId },
        }),
      );
      expect(notMember['code']).toBe('ASSIGNEE_NOT_MEMBER');
      expectContract(
        'createTask',
        403,
        await t.request('POST', '/tasks', { token: viewer.token, body }),
      );
      expectContract(
        'createTask',
        404,
        await t.request('POST', '/tasks', { token: stranger.token, body }),
      );
      expectContract(
        'listTasks',
        200,
        await asOwner('GET', `/tasks?projectId=${projectId}&limit=1`),
      );
      expectContract('listTasks', 400, await asOwner('GET', '/tasks?status=done'));
      const badBound = expectContract(
        'listTasks',
        400,
        await asOwner('GET', '/tasks?dueBefore=2026-02-30T00:00:00Z'),
      );
      expect(badBound['code']).toBe('INVALID_FIELD');
      expectContract(
        'getTask',
        200,
        await t.request('GET', `/tasks/${taskId}`, { token: viewer.token }),
      );
      expectContract('getTask', 400, await t.request('GET', '/tasks/x', { token: viewer.token }));
      expectContract(
        'getTask',
        404,
        await t.request('GET', `/tasks/${taskId}`, { token: stranger.token }),
      );
    });

    it('updateTask: 200, 400, 403, 404, 409 TASK_ALREADY_COMPLETED, 412 with a stale If-Match', async () => {
      const id = String(asRecord((await newTask()).body)['id']);
      const path = `/tasks/${id}`;
      const done = expectContract(
        'updateTask',
        200,
        await asOwner('PATCH', path, {
          body: { status: 'completed' },
          headers: { 'if-match': '"1"' },
        }),
      );
      expect(done['version']).toBe(2);
      const stale = expectContract(
        'updateTask',
        412,
        await asOwner('PATCH', path, { body: { title: 'Late' }, headers: { 'if-match': '"1"' } }),
      );
      expect(stale['code']).toBe('STALE_VERSION');
      const conflict = expectContract(
        'updateTask',
        409,
        await asOwner('PATCH', path, { body: { status: 'cancelled' } }),
      );
      expect(conflict['code']).toBe('TASK_ALREADY_COMPLETED');
      // minProperties: 1 in the document, and the server agrees.
      expectContract('updateTask', 400, await asOwner('PATCH', path, { body: {} }));
      expectContract(
        'updateTask',
        403,
        await t.request('PATCH', path, { token: viewer.token, body: { title: 'V' } }),
      );
      expectContract(
        'updateTask',
        404,
        await t.request('PATCH', path, { token: stranger.token, body: { title: 'S' } }),
      );
    });

    it('deleteTask: 204, 400, 403, 404, 412; 409 when every write keeps losing its race', async () => {
      const id = String(asRecord((await newTask()).body)['id']);
      const path = `/tasks/${id}`;
      expectContract(
        'deleteTask',
        400,
        await asOwner('DELETE', path, { headers: { 'if-match': 'W/"1"' } }),
      );
      expectContract('deleteTask', 403, await t.request('DELETE', path, { token: viewer.token }));
      // Another writer wins every round: the server's own retries run out.
      const lost = await skippingWrites('tasks', 'UPDATE', async () =>
        expectContract('deleteTask', 409, await asOwner('DELETE', path)),
      );
      expect(lost['code']).toBe('CONCURRENT_MODIFICATION');
      await asOwner('PATCH', path, { body: { title: 'v2' } });
      expectContract(
        'deleteTask',
        412,
        await asOwner('DELETE', path, { headers: { 'if-match': '"1"' } }),
      );
      expectContract(
        'deleteTask',
        204,
        await asOwner('DELETE', path, { headers: { 'if-match': '"2"' } }),
      );
      expectContract('deleteTask', 404, await asOwner('DELETE', path));
      // The trail outlives the task.
      const history = expectContract(
        'getTaskHistory',
        200,
        await asOwner('GET', `${path}/history`),
      );
      expect(history).not.toHaveProperty('nextCursor');
    });

    it('getTaskHistory, addComment, listComments: 200, 201, 400, 403, 404, 422', async () => {
      const path = `/tasks/${taskId}`;
      const comments = `${path}/comments`;
      const key = { 'idempotency-key': randomUUID() };
      await expectContracts([
        ['getTaskHistory', 400, owner, 'GET', '/tasks/x/history'],
        ['getTaskHistory', 404, stranger, 'GET', `${path}/history`],
        ['addComment', 201, editor, 'POST', comments, { body: { body: 'One' }, headers: key }],
        ['addComment', 422, editor, 'POST', comments, { body: { body: 'Two' }, headers: key }],
        ['addComment', 400, editor, 'POST', comments, { body: { body: ' ' } }],
        ['addComment', 403, viewer, 'POST', comments, { body: { body: 'V' } }],
        ['addComment', 404, stranger, 'POST', comments, { body: { body: 'S' } }],
        ['listComments', 200, viewer, 'GET', `${comments}?limit=1`],
        ['listComments', 400, viewer, 'GET', `${comments}?limit=x`],
        ['listComments', 404, stranger, 'GET', comments],
      ]);
    });

    it('409 IDEMPOTENCY_IN_FLIGHT where the first response cannot be stored nor found', async () => {
      // The key's row is never written (as if a concurrent first request held it): the server
      // cannot replay, so it answers 409 rather than run the command twice.
      await skippingWrites('idempotency_keys', 'INSERT', async () => {
        for (const operationId of ['createProject', 'createTask', 'addComment']) {
          const sample = sampleOf(operationId);
          const problem = expectContract(
            operationId,
            409,
            await t.request(sample.method, sample.path, {
              token: owner.token,
              body: sample.body,
              headers: { 'idempotency-key': randomUUID() },
            }),
          );
          expect(problem['code']).toBe('IDEMPOTENCY_IN_FLIGHT');
        }
      });
    });
  });

  describe('the statuses every operation shares', () => {
    it('401 without credentials, on every operation that documents it', async () => {
      for (const { operationId } of documenting('401')) {
        const response = await send(sampleOf(operationId));
        expectContract(operationId, 401, response);
      }
    });

    it('413, 415, 400 and 417 from the transport, on every operation', async () => {
      for (const { operationId } of contract.operations) {
        const { method, path } = sampleOf(operationId);
        const json = { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` };
        for (const [status, headers, body] of [
          [413, {}, Buffer.alloc(1024 * 1024 + 1, 0x20)],
          [415, { 'content-encoding': 'x-unknown' }, Buffer.from('{}')],
          [400, { 'content-encoding': 'gzip' }, Buffer.from('not gzip')],
          [417, { expect: 'a-pony' }, Buffer.alloc(0)],
        ] as const) {
          const response = await rawRequest(t.url, method, path, { ...json, ...headers }, body);
          expectContract(operationId, status, response);
        }
      }
    });

    it('304 to If-None-Match holding the current ETag, on every GET that sends one', async () => {
      const revalidable = documenting('304');
      expect(revalidable.map((o) => o.operationId).sort()).toEqual(
        ['getOpenApi', 'getProject', 'getTask'].sort(),
      );
      for (const { operationId } of revalidable) {
        const { path } = sampleOf(operationId);
        const full = await asOwner('GET', path);
        expectContract(operationId, 200, full);
        const etag = full.headers.get('etag') ?? '';
        const again = await asOwner('GET', path, {
          headers: { 'if-none-match': `"stale", ${etag}` },
        });
        expectContract(operationId, 304, again);
        expect(again.headers.get('etag')).toBe(etag);
      }
    });

    it('405 with Allow for a method a documented path does not have', async () => {
      const paths = Object.keys(asRecord(document['paths']));
      for (const template of paths) {
        const path = template.replace('{id}', projectId).replace('{userId}', owner.userId);
        contract.checkMethodNotAllowed(template, await asOwner('PUT', path));
      }
    });

    it('500 when the database answers with a fault the server does not expect', async () => {
      // New sessions look for the tables in a schema that does not exist: every query fails
      // with 42P01, which is no outage (not 503) but a fault (500, logged, no detail leaked).
      await withoutTables(async () => {
        for (const { operationId } of documenting('500')) {
          let response = await send(sampleOf(operationId), owner.token);
          // A pooled session killed by the switch answers 503 once; the next one is new.
          for (let attempt = 0; response.status === 503 && attempt < 8; attempt += 1) {
            response = await send(sampleOf(operationId), owner.token);
          }
          const problem = expectContract(operationId, 500, response);
          expect(response.text).not.toMatch(/contract_nowhere|relation|typeorm|\.ts\b/i);
          expect(problem['instance']).toBe(
            `urn:request:${response.headers.get('x-request-id') ?? ''}`,
          );
        }
      });
    });

    it('503 with Retry-After while the database refuses connections', async () => {
      const restore = await cutDatabase(t);
      try {
        for (const { operationId } of documenting('503')) {
          expectContract(operationId, 503, await send(sampleOf(operationId), owner.token));
        }
      } finally {
        await restore();
      }
      expectContract('getHealth', 200, await t.request('GET', '/health'));
    });

    it('leaves no documented operation or status unproduced', () => {
      const missing = contract
        .uncovered()
        .filter((pair) => NOT_PRODUCIBLE_OVER_HTTP[pair] === undefined);
      expect(missing).toEqual([]);
    });
  });
});
