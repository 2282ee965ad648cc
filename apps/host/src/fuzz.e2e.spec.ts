import { TASK_MUTABLE_FIELDS } from '@taskflow/tasks-domain';
import fc from 'fast-check';
import { createTask, useProjectOwner } from './testing/fixtures';
import { asRecord } from './testing/responses';
import { useTestHost } from './testing/test-host';

/**
 * Property: whatever malformed body arrives, the answer is a 4xx problem document naming what
 * is wrong, never a 5xx, and nothing stored changes.
 */
describe('fuzzing request bodies', () => {
  const t = useTestHost('fuzz');
  const fuzzer = useProjectOwner(t, 'fuzzer@example.com', 'Fuzz');
  let taskId: string;
  let snapshot: () => Promise<string>;

  beforeAll(async () => {
    taskId = String(
      (await createTask(t, fuzzer.token, { projectId: fuzzer.projectId, title: 'Target' }))['id'],
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

  /** The fields a client writes on a task: all it changes but those the server keeps. */
  const taskFields = TASK_MUTABLE_FIELDS.filter(
    (field) => field !== 'completedAt' && field !== 'deletedAt',
  );
  const targets: readonly { method: string; route: string; known: readonly string[] }[] = [
    { method: 'POST', route: '/tasks', known: ['projectId', ...taskFields] },
    { method: 'PATCH', route: '/tasks/{taskId}', known: taskFields },
    { method: 'POST', route: '/users', known: ['name', 'email'] },
    { method: 'POST', route: '/projects', known: ['name'] },
    { method: 'POST', route: '/projects/{projectId}/members', known: ['userId', 'email', 'role'] },
    { method: 'POST', route: '/tasks/{taskId}/comments', known: ['body'] },
  ];
  /** The route with this suite's project and task in it. */
  const pathOf = (route: string): string =>
    route.replace('{projectId}', fuzzer.projectId).replace('{taskId}', taskId);

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

  it.each(targets.map((target) => [`${target.method} ${target.route}`, target] as const))(
    '%s: 500 malformed bodies all get a 4xx problem, nothing changes',
    async (_name, target) => {
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
            const response = await t.request(target.method, pathOf(target.route), {
              token: fuzzer.token,
              raw,
              headers: { 'content-type': contentType },
            });
            expectProblem(response.status, response.headers.get('content-type'), response.body);
          },
        ),
        { numRuns: 500 },
      );
      expect(await snapshot()).toBe(before);
    },
  );

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
            { token: fuzzer.token },
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
