import { randomUUID } from 'node:crypto';
import { createTask, useProjectOwner } from './testing/fixtures';
import { asRecord } from './testing/responses';
import { type TestHost, useTestHost } from './testing/test-host';

/** Rows in the tables a token's user could write to. */
async function footprint(t: TestHost): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['users', 'projects', 'project_members', 'tasks', 'comments', 'outbox']) {
    const { rows } = await t.host.persistence.db.query<{ n: string }>({
      text: `SELECT count(*) AS n FROM ${table}`,
      values: [],
    });
    counts[table] = Number(rows[0]?.n ?? -1);
  }
  return counts;
}

describe('a validly signed token for a user who does not exist', () => {
  const t = useTestHost('unknown_user');
  const member = useProjectOwner(t, 'real-member@example.com', 'Real');
  let ghostToken: string;
  let taskId: string;

  beforeAll(async () => {
    taskId = String(
      (await createTask(t, member.token, { projectId: member.projectId, title: 'Real task' }))[
        'id'
      ],
    );
    // Signed with the deployment's own secret: only the user is missing.
    ghostToken = await t.host.tokens.issue(
      { id: randomUUID(), email: 'ghost@example.com', name: 'Ghost' },
      3600,
    );
  });

  /** Every authenticated operation of the API, with a body that would otherwise succeed. */
  const operations = (): readonly (readonly [string, string, unknown])[] => [
    ['POST', '/users', { name: 'Made by ghost', email: 'made-by-ghost@example.com' }],
    ['GET', '/users', undefined],
    ['GET', '/users/me', undefined],
    ['GET', `/users/${member.userId}`, undefined],
    ['POST', '/projects', { name: 'Ghost project' }],
    ['GET', '/projects', undefined],
    ['GET', `/projects/${member.projectId}`, undefined],
    ['POST', `/projects/${member.projectId}/members`, { userId: member.userId, role: 'viewer' }],
    ['DELETE', `/projects/${member.projectId}/members/${member.userId}`, undefined],
    ['PATCH', `/projects/${member.projectId}/members/${member.userId}`, { role: 'editor' }],
    ['POST', `/projects/${member.projectId}/stream-tickets`, undefined],
    // Documented with its security (bearer or ticket); a refusal is a plain problem response.
    ['GET', `/projects/${member.projectId}/stream`, undefined],
    ['POST', '/tasks', { projectId: member.projectId, title: 'Ghost task' }],
    ['GET', '/tasks', undefined],
    ['GET', `/tasks/${taskId}`, undefined],
    ['PATCH', `/tasks/${taskId}`, { title: 'Haunted' }],
    ['DELETE', `/tasks/${taskId}`, undefined],
    ['GET', `/tasks/${taskId}/history`, undefined],
    ['POST', `/tasks/${taskId}/comments`, { body: 'Boo' }],
    ['GET', `/tasks/${taskId}/comments`, undefined],
  ];

  it('covers every authenticated route the API documents', async () => {
    const paths = asRecord(asRecord((await t.request('GET', '/openapi.json')).body)['paths']);
    const authenticated = Object.entries(paths).flatMap(([path, ops]) =>
      Object.entries(asRecord(ops))
        .filter(([, op]) => (asRecord(op)['security'] as unknown[]).length > 0)
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const covered = operations().map(
      ([method, path]) =>
        `${method} ${path.replace(member.userId, '{userId}').replace(/[0-9a-f-]{36}/g, '{id}')}`,
    );

    expect(covered.map((op) => op.replace('/users/{userId}', '/users/{id}')).sort()).toEqual(
      authenticated.sort(),
    );
  });

  it('is refused 401 USER_UNKNOWN on every authenticated route, and nothing is written', async () => {
    const before = await footprint(t);

    for (const [method, path, body] of operations()) {
      const response = await t.request(method, path, {
        token: ghostToken,
        ...(body === undefined ? {} : { body }),
      });
      expect({ route: `${method} ${path}`, status: response.status }).toEqual({
        route: `${method} ${path}`,
        status: 401,
      });
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(asRecord(response.body)).toMatchObject({ status: 401, code: 'USER_UNKNOWN' });
    }

    expect(await footprint(t)).toEqual(before);
  });

  it('is refused 401 USER_UNKNOWN on the project stream', async () => {
    const response = await fetch(`${t.url}/projects/${member.projectId}/stream`, {
      headers: { authorization: `Bearer ${ghostToken}` },
    });

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 401, code: 'USER_UNKNOWN' });
  });

  it('still serves a real user, repeatedly, from the same kind of token', async () => {
    const first = await t.request('GET', '/users/me', { token: member.token });
    const again = await t.request('GET', '/users/me', { token: member.token });

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(asRecord(again.body)['id']).toBe(member.userId);
  });
});
