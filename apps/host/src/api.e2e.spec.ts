import { TokenIssuer } from '@taskflow/platform-http';
import { SignJWT } from 'jose';
import { type Login, seedTeam } from './testing/fixtures';
import { asRecord, expectProblem, itemsOf } from './testing/responses';
import { type TestHost, cutDatabase, startTestHost, useTestHost } from './testing/test-host';

describe('Taskflow HTTP API over real HTTP', () => {
  const t = useTestHost('api');
  let owner: Login;
  let editor: Login;
  let viewer: Login;
  let stranger: Login;
  let projectId: string;

  beforeAll(async () => {
    ({ owner, editor, viewer, stranger, projectId } = await seedTeam(t, 'Launch'));
  });

  /** A request of the project's owner. */
  const asOwner: TestHost['request'] = (method, path, options = {}) =>
    t.request(method, path, { token: owner.token, ...options });

  /** A request someone sends (with its body, if any) and the problem it must be answered with. */
  type Refusal = readonly [Login, string, string, unknown, number, string?];
  /** Sends each request in turn and expects its problem. */
  const expectRefusals = async (refusals: readonly Refusal[]): Promise<void> => {
    for (const [who, method, path, body, status, code] of refusals) {
      expectProblem(await t.request(method, path, { token: who.token, body }), status, code);
    }
  };

  const createTask = async (body: Record<string, unknown> = {}, token = owner.token) =>
    t.request('POST', '/tasks', { token, body: { projectId, title: 'A task', ...body } });

  describe('system routes (no auth)', () => {
    it('GET /health answers 200 with database up, version and region', async () => {
      const response = await t.request('GET', '/health');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        status: 'ok',
        database: 'up',
        version: expect.any(String),
        region: 'local',
      });
    });

    it('GET /openapi.json documents every route the API serves', async () => {
      const response = await t.request('GET', '/openapi.json');
      expect(response.status).toBe(200);
      const document = asRecord(response.body);
      expect(document['openapi']).toBe('3.1.0');
      const paths = asRecord(document['paths']);
      const documented = Object.entries(paths).flatMap(([path, ops]) =>
        Object.keys(asRecord(ops)).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(documented.sort()).toEqual(routeList().sort());
      // The request schemas are the validating ones: unknown fields are refused in both.
      const createTask = asRecord(asRecord(paths['/tasks'])['post']);
      const schema = asRecord(
        asRecord(asRecord(asRecord(createTask['requestBody'])['content'])['application/json'])[
          'schema'
        ],
      );
      expect(schema['additionalProperties']).toBe(false);
      expect(schema['required']).toEqual(expect.arrayContaining(['projectId', 'title']));
    });
  });

  function routeList(): string[] {
    return [
      'GET /health',
      'GET /openapi.json',
      'POST /users',
      'GET /users',
      'GET /users/me',
      'GET /users/{id}',
      // The test hosts run the local default set-up, which serves the development sign-in.
      'POST /dev/sign-in',
      'POST /projects',
      'GET /projects',
      'GET /projects/{id}',
      'POST /projects/{id}/members',
      'DELETE /projects/{id}/members/{userId}',
      'PATCH /projects/{id}/members/{userId}',
      'POST /projects/{id}/stream-tickets',
      'GET /projects/{id}/stream',
      'POST /tasks',
      'GET /tasks',
      'GET /tasks/{id}',
      'PATCH /tasks/{id}',
      'DELETE /tasks/{id}',
      'GET /tasks/{id}/history',
      'POST /tasks/{id}/comments',
      'GET /tasks/{id}/comments',
    ];
  }

  describe('authentication (401)', () => {
    it.each([
      ['no header', undefined, 'TOKEN_MISSING'],
      ['not a bearer JWT', 'Basic abc', 'TOKEN_INVALID'],
      ['garbage token', 'Bearer a.b.c', 'TOKEN_INVALID'],
    ])('%s → 401 %s', async (_case, authorization, code) => {
      const response = await t.request('GET', '/tasks', {
        headers: authorization === undefined ? {} : { authorization },
      });
      expectProblem(response, 401, code);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('a token signed with another secret → 401', async () => {
      const forged = await new TokenIssuer(
        'another-secret-another-secret-another-secret',
        'taskflow',
        'taskflow',
      ).issue({ id: owner.userId, email: 'owner@example.com', name: 'x' }, 60);
      expectProblem(await t.request('GET', '/users/me', { token: forged }), 401, 'TOKEN_INVALID');
    });

    it('an expired token → 401 TOKEN_EXPIRED', async () => {
      const expired = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(owner.userId)
        .setIssuer('taskflow')
        .setAudience('taskflow')
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode('test-secret-test-secret-test-secret-0123456789'));
      expectProblem(await t.request('GET', '/users/me', { token: expired }), 401, 'TOKEN_EXPIRED');
    });
  });

  describe('users', () => {
    it('POST /users → 201 with Location; GET /users/{id} once they share a project; /users/me', async () => {
      const created = await asOwner('POST', '/users', {
        body: { name: ' Nina ', email: 'Nina@Example.com' },
      });
      expect(created.status).toBe(201);
      const user = asRecord(created.body);
      expect(user).toMatchObject({ name: 'Nina', email: 'Nina@Example.com' });
      expect(created.headers.get('location')).toBe(`/users/${String(user['id'])}`);
      // Users are visible only to people they share a project with.
      expectProblem(await asOwner('GET', `/users/${String(user['id'])}`), 404, 'USER_NOT_FOUND');
      const shared = asRecord(
        (await asOwner('POST', '/projects', { body: { name: 'With Nina' } })).body,
      );
      await asOwner('POST', `/projects/${String(shared['id'])}/members`, {
        body: { userId: user['id'], role: 'viewer' },
      });
      expect((await asOwner('GET', `/users/${String(user['id'])}`)).body).toEqual(user);
      expect(asRecord((await asOwner('GET', '/users/me')).body)['id']).toBe(owner.userId);
    });

    it('a duplicate e-mail in another case → 409 EMAIL_TAKEN, the first user intact', async () => {
      const response = await asOwner('POST', '/users', {
        body: { name: 'Dup', email: 'OWNER@example.COM' },
      });
      expectProblem(response, 409, 'EMAIL_TAKEN');
      const me = asRecord((await asOwner('GET', '/users/me')).body);
      expect(me).toMatchObject({ name: 'Olive Owner', email: 'owner@example.com' });
    });

    it.each([
      ['name', 'empty', { name: '', email: 'a@b.co' }],
      ['name', 'too long', { name: 'x'.repeat(101), email: 'a@b.co' }],
      ['email', 'not an address', { name: 'Ok', email: 'not-an-email' }],
      ['email', '256 characters', { name: 'Ok', email: `${'a'.repeat(251)}@b.co` }],
      ['email', 'missing', { name: 'Ok' }],
      ['admin', 'unknown', { name: 'Ok', email: 'a@b.co', admin: true }],
    ])('400 naming %s when %s', async (path, _case, body) => {
      const problem = expectProblem(await asOwner('POST', '/users', { body }), 400);
      expect(problem['errors']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    });

    it('GET /users paginates with a cursor and filters with q', async () => {
      const first = await asOwner('GET', '/users?limit=2');
      expect(first.status).toBe(200);
      expect(itemsOf(first.body)).toHaveLength(2);
      const next = asRecord(first.body)['nextCursor'];
      expect(typeof next).toBe('string');
      const second = await asOwner('GET', `/users?limit=2&cursor=${String(next)}`, {});
      const ids = [...itemsOf(first.body), ...itemsOf(second.body)].map((u) => u['id']);
      expect(new Set(ids).size).toBe(ids.length);
      const found = itemsOf((await asOwner('GET', '/users?q=VIEWER')).body);
      expect(found.map((u) => u['email'])).toEqual(['viewer@example.com']);
    });

    it('GET /users/{unknown} → 404, malformed id → 400, bad cursor → 400', async () => {
      expectProblem(
        await asOwner('GET', '/users/01890000-0000-7000-8000-000000000000', {}),
        404,
        'USER_NOT_FOUND',
      );
      const malformed = expectProblem(await asOwner('GET', '/users/nope'), 400);
      expect(malformed['errors']).toEqual([expect.objectContaining({ path: 'id' })]);
      expectProblem(await asOwner('GET', '/users?cursor=zzz'), 400, 'INVALID_CURSOR');
    });
  });

  describe('projects and membership', () => {
    it('GET /projects lists only the caller’s projects; GET /projects/{id} shows members', async () => {
      expect(itemsOf((await asOwner('GET', '/projects')).body).map((p) => p['id'])).toContain(
        projectId,
      );
      expect(
        itemsOf((await t.request('GET', '/projects', { token: stranger.token })).body),
      ).toEqual([]);
      const project = asRecord(
        (await t.request('GET', `/projects/${projectId}`, { token: viewer.token })).body,
      );
      expect(project['members']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: owner.userId, role: 'owner' }),
          expect.objectContaining({ userId: editor.userId, role: 'editor' }),
          expect.objectContaining({ userId: viewer.userId, role: 'viewer' }),
        ]),
      );
    });

    it('a non-member cannot tell a project exists (404), an editor may not manage members (403)', async () => {
      const members = `/projects/${projectId}/members`;
      const strangerAsViewer = { userId: stranger.userId, role: 'viewer' };
      await expectRefusals([
        [stranger, 'GET', `/projects/${projectId}`, undefined, 404, 'PROJECT_NOT_FOUND'],
        [editor, 'POST', members, strangerAsViewer, 403, 'OWNER_REQUIRED'],
        [editor, 'DELETE', `${members}/${viewer.userId}`, undefined, 403, 'OWNER_REQUIRED'],
      ]);
    });

    it('adding an existing member → 409, an unknown user → 400 naming userId, a bad role → 400', async () => {
      expectProblem(
        await asOwner('POST', `/projects/${projectId}/members`, {
          body: { userId: editor.userId, role: 'viewer' },
        }),
        409,
        'ALREADY_MEMBER',
      );
      const unknown = expectProblem(
        await asOwner('POST', `/projects/${projectId}/members`, {
          body: { userId: '01890000-0000-7000-8000-000000000000', role: 'viewer' },
        }),
        400,
        'USER_NOT_FOUND',
      );
      expect(unknown['errors']).toEqual([expect.objectContaining({ path: 'userId' })]);
      const badRole = expectProblem(
        await asOwner('POST', `/projects/${projectId}/members`, {
          body: { userId: stranger.userId, role: 'admin' },
        }),
        400,
      );
      expect(badRole['errors']).toEqual([expect.objectContaining({ path: 'role' })]);
    });

    it('the last owner cannot be removed (409); a removed member loses access (404)', async () => {
      const solo = asRecord(
        (await t.request('POST', '/projects', { token: stranger.token, body: { name: 'Solo' } }))
          .body,
      );
      expectProblem(
        await t.request('DELETE', `/projects/${String(solo['id'])}/members/${stranger.userId}`, {
          token: stranger.token,
        }),
        409,
        'LAST_OWNER',
      );
      const added = await t.request('POST', `/projects/${String(solo['id'])}/members`, {
        token: stranger.token,
        body: { userId: viewer.userId, role: 'viewer' },
      });
      expect(added.status).toBe(201);
      expect(
        (await t.request('GET', `/projects/${String(solo['id'])}`, { token: viewer.token })).status,
      ).toBe(200);
      const removed = await t.request(
        'DELETE',
        `/projects/${String(solo['id'])}/members/${viewer.userId}`,
        { token: stranger.token },
      );
      expect(removed.status).toBe(204);
      expectProblem(
        await t.request('GET', `/projects/${String(solo['id'])}`, { token: viewer.token }),
        404,
      );
    });

    it('a role change takes effect on the next request: a promoted viewer writes, a demoted editor may not', async () => {
      const team = asRecord(
        (await t.request('POST', '/projects', { token: stranger.token, body: { name: 'Roles' } }))
          .body,
      );
      const teamId = String(team['id']);
      const members = `/projects/${teamId}/members`;
      const asLead = (method: string, path: string, body?: unknown) =>
        t.request(method, path, { token: stranger.token, body });
      const newTask = (who: Login) =>
        t.request('POST', '/tasks', { token: who.token, body: { projectId: teamId, title: 'x' } });
      await asLead('POST', members, { userId: viewer.userId, role: 'viewer' });
      await asLead('POST', members, { userId: editor.userId, role: 'editor' });
      expectProblem(await newTask(viewer), 403, 'ROLE_FORBIDDEN');

      const promoted = await asLead('PATCH', `${members}/${viewer.userId}`, { role: 'editor' });
      const demoted = await asLead('PATCH', `${members}/${editor.userId}`, { role: 'viewer' });

      expect(promoted.status).toBe(200);
      expect(promoted.headers.get('etag')).toBe('"4"');
      expect(asRecord(demoted.body)).toMatchObject({ version: 5 });
      expect((await newTask(viewer)).status).toBe(201);
      expectProblem(await newTask(editor), 403, 'ROLE_FORBIDDEN');
      // Their membership (and so their project, and their assignments) is untouched.
      expect((await t.request('GET', `/projects/${teamId}`, { token: editor.token })).status).toBe(
        200,
      );
      // An owner may step down only while another owner remains.
      expectProblem(
        await asLead('PATCH', `${members}/${stranger.userId}`, { role: 'editor' }),
        409,
        'LAST_OWNER',
      );
      await asLead('PATCH', `${members}/${viewer.userId}`, { role: 'owner' });
      const steppedDown = await asLead('PATCH', `${members}/${stranger.userId}`, {
        role: 'editor',
      });
      expect(asRecord(steppedDown.body)['members']).toContainEqual(
        expect.objectContaining({ userId: stranger.userId, role: 'editor' }),
      );
      expectProblem(
        await asLead('PATCH', `${members}/${editor.userId}`, { role: 'editor' }),
        403,
        'OWNER_REQUIRED',
      );
    });

    it('removing a member unassigns them from the project’s tasks, audited (version 2)', async () => {
      const team = asRecord(
        (await t.request('POST', '/projects', { token: stranger.token, body: { name: 'Team' } }))
          .body,
      );
      const teamId = String(team['id']);
      await t.request('POST', `/projects/${teamId}/members`, {
        token: stranger.token,
        body: { userId: editor.userId, role: 'editor' },
      });
      const assigned = [];
      for (const title of ['first', 'second']) {
        const created = await t.request('POST', '/tasks', {
          token: stranger.token,
          body: { projectId: teamId, title, assigneeId: editor.userId },
        });
        expect(created.status).toBe(201);
        assigned.push(String(asRecord(created.body)['id']));
      }

      const removed = await t.request('DELETE', `/projects/${teamId}/members/${editor.userId}`, {
        token: stranger.token,
      });

      expect(removed.status).toBe(204);
      for (const taskId of assigned) {
        const task = await t.request('GET', `/tasks/${taskId}`, { token: stranger.token });
        expect(asRecord(task.body)).toMatchObject({ assigneeId: null, version: 2 });
        const history = await t.request('GET', `/tasks/${taskId}/history`, {
          token: stranger.token,
        });
        const last = itemsOf(history.body).at(-1);
        expect(last?.['version']).toBe(2);
        expect(last?.['actorId']).toBe(stranger.userId);
        expect(asRecord(asRecord(last?.['changes'])['assigneeId'])).toEqual({
          oldValue: editor.userId,
          newValue: null,
        });
      }
    });
  });

  describe('tasks', () => {
    it('POST /tasks → 201 with Location and ETag, defaults applied, input normalised', async () => {
      const response = await createTask({
        title: '  Ship it  ',
        labels: ['a', ' b ', 'a'],
        dueDate: '2030-01-02T03:04:05+02:00',
      });
      expect(response.status).toBe(201);
      const task = asRecord(response.body);
      expect(task).toMatchObject({
        projectId,
        title: 'Ship it',
        status: 'pending',
        priority: 'medium',
        assigneeId: null,
        labels: ['a', 'b'],
        dueDate: '2030-01-02T01:04:05.000Z',
        version: 1,
        createdBy: owner.userId,
        completedAt: null,
      });
      expect(response.headers.get('location')).toBe(`/tasks/${String(task['id'])}`);
      expect(response.headers.get('etag')).toBe('"1"');
    });

    it.each([
      ['title', 'blank', { title: '   ' }],
      ['title', '201 characters', { title: 'x'.repeat(201) }],
      ['description', '10,001 characters', { description: 'x'.repeat(10_001) }],
      ['status', 'misspelt', { status: 'in-progress' }],
      ['priority', 'unknown', { priority: 'critical' }],
      ['labels', '21 distinct', { labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }],
      ['labels.1', 'empty', { labels: ['ok', ''] }],
      ['labels.0', '51 characters', { labels: ['x'.repeat(51)] }],
      ['dueDate', 'not a date-time', { dueDate: 'tomorrow' }],
      ['assigneeId', 'not a uuid', { assigneeId: 'bob' }],
      ['assigneeId', 'not a member', { assigneeId: '01890000-0000-7000-8000-000000000000' }],
      ['projectId', 'not a uuid', { projectId: 'nope' }],
      ['rank', 'not an order key', { rank: 'a10' }],
      ['rank', 'not a string', { rank: 7 }],
      ['color', 'unknown', { color: 'red' }],
    ])('create → 400 naming %s when %s, nothing stored', async (path, _case, override) => {
      const before = itemsOf(
        (await asOwner('GET', `/tasks?projectId=${projectId}&limit=100`)).body,
      ).length;
      const problem = expectProblem(await createTask(override), 400);
      expect(problem['errors']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
      const after = itemsOf(
        (await asOwner('GET', `/tasks?projectId=${projectId}&limit=100`)).body,
      ).length;
      expect(after).toBe(before);
    });

    it('roles: a viewer may read but not write (403); a stranger cannot see it (404)', async () => {
      const task = asRecord((await createTask()).body);
      const id = String(task['id']);
      expect((await t.request('GET', `/tasks/${id}`, { token: viewer.token })).status).toBe(200);
      expectProblem(await createTask({}, viewer.token), 403, 'ROLE_FORBIDDEN');
      await expectRefusals([
        [viewer, 'PATCH', `/tasks/${id}`, { title: 'x' }, 403, 'ROLE_FORBIDDEN'],
        [viewer, 'DELETE', `/tasks/${id}`, undefined, 403, 'ROLE_FORBIDDEN'],
        [viewer, 'POST', `/tasks/${id}/comments`, { body: 'hi' }, 403],
        [stranger, 'GET', `/tasks/${id}`, undefined, 404, 'TASK_NOT_FOUND'],
        [stranger, 'GET', `/tasks/${id}/history`, undefined, 404, 'TASK_NOT_FOUND'],
      ]);
      expectProblem(await createTask({}, stranger.token), 404, 'PROJECT_NOT_FOUND');
      expect(
        itemsOf((await t.request('GET', '/tasks', { token: stranger.token })).body).map(
          (x) => x['id'],
        ),
      ).not.toContain(id);
    });

    it('PATCH applies only the fields sent, bumps the version and the ETag; completion sets and clears completedAt', async () => {
      const id = String(
        asRecord((await createTask({ description: 'keep me', assigneeId: editor.userId })).body)[
          'id'
        ],
      );
      const patched = await t.request('PATCH', `/tasks/${id}`, {
        token: editor.token,
        body: { status: 'completed' },
      });
      expect(patched.status).toBe(200);
      expect(patched.headers.get('etag')).toBe('"2"');
      const done = asRecord(patched.body);
      expect(done).toMatchObject({
        status: 'completed',
        description: 'keep me',
        assigneeId: editor.userId,
        version: 2,
      });
      expect(typeof done['completedAt']).toBe('string');
      const reopened = asRecord(
        (
          await t.request('PATCH', `/tasks/${id}`, {
            token: editor.token,
            body: { status: 'in_progress' },
          })
        ).body,
      );
      expect(reopened).toMatchObject({ status: 'in_progress', completedAt: null, version: 3 });
      const fetched = await t.request('GET', `/tasks/${id}`, { token: viewer.token });
      expect(fetched.headers.get('etag')).toBe('"3"');
    });

    it('If-Match: current version applies, a stale one → 412 and nothing changes, malformed → 400', async () => {
      const id = String(asRecord((await createTask()).body)['id']);
      const ifMatch = (method: string, version: string, body?: unknown) =>
        asOwner(method, `/tasks/${id}`, { body, headers: { 'if-match': version } });
      expect((await ifMatch('PATCH', '"1"', { title: 'v2' })).status).toBe(200);
      expectProblem(await ifMatch('PATCH', '"1"', { title: 'lost' }), 412, 'STALE_VERSION');
      expectProblem(await ifMatch('DELETE', '"1"'), 412);
      expectProblem(await ifMatch('PATCH', 'W/"2"', { title: 'x' }), 400, 'INVALID_IF_MATCH');
      expect(asRecord((await asOwner('GET', `/tasks/${id}`)).body)).toMatchObject({
        title: 'v2',
        version: 2,
      });
    });

    it('conflicting status transitions → 409; an empty PATCH → 400; unknown task → 404', async () => {
      const id = String(asRecord((await createTask({ status: 'completed' })).body)['id']);
      expectProblem(
        await asOwner('PATCH', `/tasks/${id}`, { body: { status: 'cancelled' } }),
        409,
        'TASK_ALREADY_COMPLETED',
      );
      expectProblem(await asOwner('PATCH', `/tasks/${id}`, { body: {} }), 400);
      expectProblem(
        await asOwner('PATCH', '/tasks/01890000-0000-7000-8000-000000000000', {
          body: { title: 'x' },
        }),
        404,
      );
    });

    it('DELETE → 204; the task disappears from reads but keeps its history', async () => {
      const id = String(asRecord((await createTask()).body)['id']);
      await asOwner('PATCH', `/tasks/${id}`, { body: { priority: 'urgent' } });
      expect(
        (await asOwner('DELETE', `/tasks/${id}`, { headers: { 'if-match': '"2"' } })).status,
      ).toBe(204);
      expectProblem(await asOwner('GET', `/tasks/${id}`), 404, 'TASK_NOT_FOUND');
      expectProblem(await asOwner('DELETE', `/tasks/${id}`), 404);
      expect(
        itemsOf((await asOwner('GET', `/tasks?projectId=${projectId}&limit=100`, {})).body).map(
          (x) => x['id'],
        ),
      ).not.toContain(id);
      const history = itemsOf((await asOwner('GET', `/tasks/${id}/history`)).body);
      expect(history.map((e) => [e['version'], e['action']])).toEqual([
        [1, 'created'],
        [2, 'updated'],
        [3, 'deleted'],
      ]);
      expect(asRecord(asRecord(history[1]?.['changes'])['priority'])).toEqual({
        oldValue: 'medium',
        newValue: 'urgent',
      });
    });

    it('GET /tasks filters and paginates with a stable order', async () => {
      const own = asRecord(
        (await asOwner('POST', '/projects', { body: { name: 'Filters' } })).body,
      );
      const pid = String(own['id']);
      const made: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const r = await asOwner('POST', '/tasks', {
          body: {
            projectId: pid,
            title: i % 2 === 0 ? `Even ${i}` : `Odd ${i}`,
            priority: i < 3 ? 'high' : 'low',
            status: i === 6 ? 'blocked' : 'pending',
            labels: i % 2 === 0 ? ['even'] : ['odd'],
            assigneeId: i === 5 ? owner.userId : null,
            dueDate: `2031-01-0${i + 1}T00:00:00Z`,
          },
        });
        made.push(String(asRecord(r.body)['id']));
      }
      const list = async (query: string) =>
        itemsOf((await asOwner('GET', `/tasks?projectId=${pid}&${query}`)).body).map(
          (x) => x['id'],
        );
      expect(await list('limit=100')).toEqual([...made].reverse());
      expect(await list('priority=high')).toEqual([made[2], made[1], made[0]]);
      expect(await list('status=blocked')).toEqual([made[6]]);
      expect(await list('label=odd')).toEqual([made[5], made[3], made[1]]);
      expect(await list(`assigneeId=${owner.userId}`)).toEqual([made[5]]);
      expect(await list('q=even%206')).toEqual([made[6]]);
      expect(await list('dueBefore=2031-01-03T00:00:00Z')).toEqual([made[1], made[0]]);
      expect(await list('dueAfter=2031-01-05T00:00:00Z')).toEqual([made[6], made[5]]);
      const pages: unknown[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${cursor}`;
        const page = asRecord(
          (await asOwner('GET', `/tasks?projectId=${pid}&limit=3${query}`, {})).body,
        );
        pages.push(...itemsOf(page).map((x) => x['id']));
        const next = page['nextCursor'];
        cursor = typeof next === 'string' ? next : null;
      } while (cursor !== null);
      expect(pages).toEqual([...made].reverse());
    });

    it('a board column: PATCH rank moves one task; GET ?order=rank pages in that order', async () => {
      const own = asRecord((await asOwner('POST', '/projects', { body: { name: 'Board' } })).body);
      const pid = String(own['id']);
      const made: Record<string, unknown>[] = [];
      for (const rank of ['a0', 'a1', 'a2', 'a3'])
        made.push(
          asRecord(
            (await asOwner('POST', '/tasks', { body: { projectId: pid, title: rank, rank } })).body,
          ),
        );
      const last = made[3] ?? {};
      const moved = await asOwner('PATCH', `/tasks/${String(last['id'])}`, {
        body: { rank: 'a0V' },
        headers: { 'if-match': '"1"' },
      });
      expect(moved.status).toBe(200);
      expect(asRecord(moved.body)).toMatchObject({ rank: 'a0V', version: 2 });
      const titles: unknown[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? '' : `&cursor=${cursor}`;
        const page = asRecord(
          (await asOwner('GET', `/tasks?projectId=${pid}&order=rank&limit=3${query}`, {})).body,
        );
        titles.push(...itemsOf(page).map((x) => x['title']));
        const next = page['nextCursor'];
        cursor = typeof next === 'string' ? next : null;
      } while (cursor !== null);
      expect(titles).toEqual(['a0', 'a3', 'a1', 'a2']);
      const history = asRecord((await asOwner('GET', `/tasks/${String(last['id'])}/history`)).body);
      expect(itemsOf(history).at(-1)?.['changes']).toEqual({
        rank: { oldValue: 'a3', newValue: 'a0V' },
      });
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=done', 'status'],
      ['dueBefore=yesterday', 'dueBefore'],
      ['projectId=1', 'projectId'],
      ['unknown=1', 'unknown'],
      ['status=pending&status=blocked', 'status'],
      ['order=oldest', 'order'],
      [
        `order=rank&cursor=${Buffer.from('0190a5f2-7c3e-7abc-8def-000000000002').toString('base64url')}`,
        'cursor',
      ],
    ])('GET /tasks?%s → 400 naming %s', async (query, path) => {
      const problem = expectProblem(await asOwner('GET', `/tasks?${query}`), 400);
      expect(problem['errors']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    });

    it('comments: 201 then listed oldest first; bounds checked', async () => {
      const id = String(asRecord((await createTask()).body)['id']);
      const first = await t.request('POST', `/tasks/${id}/comments`, {
        token: editor.token,
        body: { body: ' first ' },
      });
      expect(first.status).toBe(201);
      expect(asRecord(first.body)).toMatchObject({
        taskId: id,
        authorId: editor.userId,
        body: 'first',
      });
      await asOwner('POST', `/tasks/${id}/comments`, { body: { body: 'second' } });
      const comments = itemsOf(
        (await t.request('GET', `/tasks/${id}/comments`, { token: viewer.token })).body,
      );
      expect(comments.map((c) => c['body'])).toEqual(['first', 'second']);
      expectProblem(await asOwner('POST', `/tasks/${id}/comments`, { body: { body: '  ' } }), 400);
      expectProblem(
        await asOwner('POST', `/tasks/${id}/comments`, { body: { body: 'x'.repeat(10_001) } }),
        400,
      );
    });
  });

  describe('transport errors', () => {
    it('a body that is not JSON → 415; malformed JSON → 400; over 1 MB → 413', async () => {
      const postRaw = (raw: string, contentType = 'application/json') =>
        asOwner('POST', '/tasks', { raw, headers: { 'content-type': contentType } });
      expectProblem(await postRaw('title=x', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expectProblem(await postRaw('{"title":'), 400, 'MALFORMED_JSON');
      const huge = JSON.stringify({ projectId, title: 'x', description: 'y'.repeat(1024 * 1024) });
      expectProblem(await postRaw(huge), 413, 'BODY_TOO_LARGE');
    });

    it('a NUL character anywhere (body field, nested, query) → 400 naming it; nothing stored', async () => {
      const before = await asOwner('GET', `/tasks?projectId=${projectId}&limit=100`, {});
      const titled = expectProblem(await createTask({ title: 'bad\u0000title' }), 400);
      expect(titled['errors']).toEqual([
        { path: 'title', message: 'must not contain the NUL character' },
      ]);
      const labelled = expectProblem(await createTask({ labels: ['ok', 'x\u0000'] }), 400);
      expect(labelled['errors']).toEqual([
        { path: 'labels.1', message: 'must not contain the NUL character' },
      ]);
      const queried = expectProblem(
        await asOwner('GET', `/tasks?projectId=${projectId}&q=a%00b`),
        400,
      );
      expect(queried['errors']).toEqual([
        { path: 'q', message: 'must not contain the NUL character' },
      ]);
      const after = await asOwner('GET', `/tasks?projectId=${projectId}&limit=100`, {});
      expect(itemsOf(after.body)).toEqual(itemsOf(before.body));
    });

    it('unknown route → 404, wrong method → 405 with Allow', async () => {
      expectProblem(await asOwner('GET', '/nope'), 404, 'ROUTE_NOT_FOUND');
      const response = await asOwner('PUT', '/tasks');
      expectProblem(response, 405, 'METHOD_NOT_ALLOWED');
      expect(response.headers.get('allow')).toBe('POST, GET, HEAD, OPTIONS');
    });

    it('echoes a caller’s X-Request-Id and generates one otherwise', async () => {
      const echoed = await t.request('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
      expect(echoed.headers.get('x-request-id')).toBe('abc-123');
      expect((await t.request('GET', '/health')).headers.get('x-request-id')).toMatch(
        /^[0-9a-f-]{36}$/,
      );
    });
  });
});

describe('when the database becomes unreachable', () => {
  it('/health answers 503 "down" and other routes 503 with Retry-After, leaking no internals', async () => {
    const t = await startTestHost('down');
    const { token } = await t.login('down@example.com');
    const restore = await cutDatabase(t);
    try {
      const health = await t.request('GET', '/health');
      expect(health.status).toBe(503);
      expect(asRecord(health.body)).toMatchObject({ status: 'unavailable', database: 'down' });
      const users = await t.request('GET', '/users', { token });
      expect(users.status).toBe(503);
      expect(users.headers.get('retry-after')).toBe('1');
      expect(asRecord(users.body)['code']).toBe('SERVICE_UNAVAILABLE');
      expect(users.text).not.toMatch(/pool|typeorm|stack|connections|\.ts\b/i);

      await restore();
      expect((await t.request('GET', '/health')).status).toBe(200);
      expect((await t.request('GET', '/users/me', { token })).status).toBe(200);
    } finally {
      await restore();
      await t.stop();
    }
  });
});
