import { TASK_INSTANT_RULE } from '@taskflow/tasks-domain';
import { createTask, useProjectOwner } from './testing/fixtures';
import { asRecord, itemsOf } from './testing/responses';
import { type TestResponse, useTestHost } from './testing/test-host';

// Values whose UTC form PostgreSQL cannot hold (no year 0; four-digit years only): they used to
// pass the schema and fail in SQL (22008, 22009) as a 500.
const OUT_OF_RANGE = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59-23:59',
] as const;

describe('due dates over real HTTP: one rule, refused before SQL', () => {
  const t = useTestHost('due_dates');
  const owner = useProjectOwner(t, 'dates-owner@example.com', 'D');
  let taskId: string;

  beforeAll(async () => {
    const created = await createTask(t, owner.token, {
      projectId: owner.projectId,
      title: 'Dated',
      dueDate: '2030-01-01T00:00:00Z',
    });
    taskId = String(created['id']);
  });

  const tasksStored = async (): Promise<Record<string, unknown>[]> =>
    itemsOf(
      (
        await t.request('GET', `/tasks?projectId=${owner.projectId}&limit=100`, {
          token: owner.token,
        })
      ).body,
    );

  /** The problem must be a 400 INVALID_FIELD naming exactly `path` with the domain's rule. */
  const expectRefused = (response: TestResponse, path: string): void => {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body).toMatchObject({
      status: 400,
      code: 'INVALID_FIELD',
      errors: [{ path, message: TASK_INSTANT_RULE }],
    });
  };

  it.each(OUT_OF_RANGE)(
    'POST /tasks with dueDate %s → 400 naming dueDate, nothing stored',
    async (due) => {
      const before = await tasksStored();

      const response = await t.request('POST', '/tasks', {
        token: owner.token,
        body: { projectId: owner.projectId, title: 'Out of range', dueDate: due },
      });

      expectRefused(response, 'dueDate');
      expect(await tasksStored()).toEqual(before);
    },
  );

  it.each(OUT_OF_RANGE)(
    'PATCH /tasks/{id} with dueDate %s → 400 naming dueDate, nothing changed',
    async (due) => {
      const response = await t.request('PATCH', `/tasks/${taskId}`, {
        token: owner.token,
        body: { dueDate: due },
      });

      expectRefused(response, 'dueDate');
      const stored = asRecord(
        (await t.request('GET', `/tasks/${taskId}`, { token: owner.token })).body,
      );
      expect(stored).toMatchObject({ version: 1, dueDate: '2030-01-01T00:00:00.000Z' });
    },
  );

  it.each(OUT_OF_RANGE.flatMap((due) => [['dueBefore', due] as const, ['dueAfter', due] as const]))(
    'GET /tasks?%s=%s → 400 naming the parameter',
    async (name, due) => {
      const response = await t.request('GET', `/tasks?${name}=${encodeURIComponent(due)}`, {
        token: owner.token,
      });

      expectRefused(response, name);
    },
  );

  it('gives a bad value the same code and message in the body as in the query', async () => {
    const inBody = await t.request('POST', '/tasks', {
      token: owner.token,
      body: { projectId: owner.projectId, title: 'Calendar', dueDate: '2025-02-30T00:00:00Z' },
    });
    const inQuery = await t.request('GET', '/tasks?dueBefore=2025-02-30T00:00:00Z', {
      token: owner.token,
    });

    expectRefused(inBody, 'dueDate');
    expectRefused(inQuery, 'dueBefore');
  });

  it('accepts the edges just inside the range, normalised to UTC', async () => {
    const first = await t.request('POST', '/tasks', {
      token: owner.token,
      body: {
        projectId: owner.projectId,
        title: 'First instant',
        dueDate: '0001-01-01T23:59:00+23:59',
      },
    });
    const last = await t.request('PATCH', `/tasks/${taskId}`, {
      token: owner.token,
      body: { dueDate: '9999-12-31T23:59:59+23:59' },
    });
    const listed = await t.request(
      'GET',
      `/tasks?projectId=${owner.projectId}&dueAfter=0001-01-01T00:00:00Z&dueBefore=9999-12-31T23:59:59.999Z`,
      { token: owner.token },
    );

    expect(first.status).toBe(201);
    expect(asRecord(first.body)['dueDate']).toBe('0001-01-01T00:00:00.000Z');
    expect(last.status).toBe(200);
    expect(asRecord(last.body)['dueDate']).toBe('9999-12-31T00:00:59.000Z');
    expect(listed.status).toBe(200);
    expect(itemsOf(listed.body).map((task) => task['dueDate'])).toEqual(
      expect.arrayContaining(['9999-12-31T00:00:59.000Z']),
    );
  });
});
