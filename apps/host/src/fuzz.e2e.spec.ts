import fc from 'fast-check';
import { type TestHost, asRecord, startTestHost } from './testing/test-host';

/**
 * Property: whatever malformed body arrives, the answer is a 4xx problem document naming what
 * is wrong, never a 5xx, and nothing stored changes.
 */
describe('fuzzing request bodies', () => {
  let t: TestHost;
  let token: string;
  let projectId: string;
  let taskId: string;
  let snapshot: () => Promise<string>;

  beforeAll(async () => {
    t = await startTestHost('fuzz');
    ({ token } = await t.login('fuzzer@example.com'));
    projectId = String(
      asRecord((await t.request('POST', '/projects', { token, body: { name: 'Fuzz' } })).body)[
        'id'
      ],
    );
    taskId = String(
      asRecord(
        (await t.request('POST', '/tasks', { token, body: { projectId, title: 'Target' } })).body,
      )['id'],
    );
    // Everything the fuzzed routes could write, as one comparable string.
    snapshot = async () => {
      const rows = await t.host.persistence.db.query<{ n: string }>({
        text: `SELECT (SELECT count(*) FROM tasks) || '/' || (SELECT count(*) FROM users) || '/' || (SELECT count(*) FROM projects)
               || '/' || (SELECT count(*) FROM comments) || '/' || (SELECT count(*) FROM outbox) || '/'
               || (SELECT max(version) FROM tasks) AS n`,
        values: [],
      });
      return String(rows.rows[0]?.n);
    };
  });

  afterAll(async () => {
    await t.stop();
  });

  const field = (name: string): fc.Arbitrary<unknown> =>
    fc.oneof(fc.jsonValue(), fc.constant(undefined)).map((v) => v ?? `${name}?`);

  /** Objects that break the schema: a wrong type for a known field, or an unknown field. */
  const invalidObject = (known: readonly string[]): fc.Arbitrary<Record<string, unknown>> =>
    fc.oneof(
      fc
        .record(
          Object.fromEntries(
            known.map((k) => [
              k,
              fc.oneof(
                fc.integer(),
                fc.boolean(),
                fc.constant(null),
                fc.array(fc.integer()),
                fc.object(),
              ),
            ]),
          ),
          {
            requiredKeys: [],
          },
        )
        .filter((o) => Object.keys(o).length > 0),
      fc
        .tuple(
          fc
            .string({ minLength: 1, maxLength: 12 })
            .filter((k) => !known.includes(k) && k !== '__proto__'),
          field('x'),
        )
        .map(([k, v]) => ({ [k]: v })),
    );

  const malformedBody: fc.Arbitrary<{ raw: string; contentType: string }> = fc.oneof(
    // Not JSON at all.
    fc
      .string({ maxLength: 200 })
      .filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      })
      .map((raw) => ({ raw, contentType: 'application/json' })),
    // JSON, but not an object.
    fc
      .oneof(
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.jsonValue(), { maxLength: 5 }),
      )
      .map((v) => ({
        raw: JSON.stringify(v),
        contentType: 'application/json',
      })),
    // Deeply nested garbage.
    fc
      .jsonValue({ maxDepth: 6 })
      .map((v) => ({ raw: JSON.stringify({ nested: v }), contentType: 'application/json' })),
    // A plausible body sent with the wrong media type.
    fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'application/xml',
      )
      .map((contentType) => ({
        raw: '{"title":"x"}',
        contentType,
      })),
  );

  const targets: readonly { method: string; path: () => string; known: readonly string[] }[] = [
    {
      method: 'POST',
      path: () => '/tasks',
      known: [
        'projectId',
        'title',
        'description',
        'status',
        'priority',
        'assigneeId',
        'dueDate',
        'labels',
      ],
    },
    {
      method: 'PATCH',
      path: () => `/tasks/${taskId}`,
      known: ['title', 'description', 'status', 'priority', 'assigneeId', 'dueDate', 'labels'],
    },
    { method: 'POST', path: () => '/users', known: ['name', 'email'] },
    { method: 'POST', path: () => '/projects', known: ['name'] },
    {
      method: 'POST',
      path: () => `/projects/${projectId}/members`,
      known: ['userId', 'email', 'role'],
    },
    { method: 'POST', path: () => `/tasks/${taskId}/comments`, known: ['body'] },
  ];

  const expectProblem = (status: number, contentType: string | null, body: unknown): void => {
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(contentType).toContain('application/problem+json');
    const problem = asRecord(body);
    expect(typeof problem['code']).toBe('string');
    expect(problem['status']).toBe(status);
    if (status === 400 && problem['code'] === 'VALIDATION_FAILED') {
      expect(Array.isArray(problem['errors'])).toBe(true);
      expect((problem['errors'] as unknown[]).length).toBeGreaterThan(0);
    }
  };

  it.each(
    targets.map(
      (target) =>
        [`${target.method} ${target.path().replace(/[0-9a-f-]{36}/g, '{id}')}`, target] as const,
    ),
  )('%s: 500 malformed bodies all get a 4xx problem, nothing changes', async (_name, target) => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          malformedBody,
          invalidObject(target.known).map((o) => ({
            raw: JSON.stringify(o),
            contentType: 'application/json',
          })),
        ),
        async ({ raw, contentType }) => {
          const response = await t.request(target.method, target.path(), {
            token,
            raw,
            headers: { 'content-type': contentType },
          });
          expectProblem(response.status, response.headers.get('content-type'), response.body);
        },
      ),
      { numRuns: 500 },
    );
    expect(await snapshot()).toBe(before);
  });

  it('malformed query strings on GET /tasks all get a 4xx problem', async () => {
    const names = [
      'projectId',
      'status',
      'priority',
      'assigneeId',
      'label',
      'q',
      'dueBefore',
      'dueAfter',
      'limit',
      'cursor',
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names, 'bogus'),
        fc.string({ maxLength: 300 }),
        async (name, value) => {
          const response = await t.request(
            'GET',
            `/tasks?${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
            { token },
          );
          if (response.status === 200) {
            // Some values are legitimately valid (q=anything, label=...); they must answer a list.
            expect(asRecord(response.body)['items']).toBeDefined();
          } else {
            expectProblem(response.status, response.headers.get('content-type'), response.body);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
