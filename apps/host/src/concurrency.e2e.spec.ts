import { createProject, createTask, useProjectOwner } from './testing/fixtures';
import { asRecord, itemsOf } from './testing/responses';
import { type TestHost, useTestHost } from './testing/test-host';

describe('concurrent edits over HTTP', () => {
  const t = useTestHost('concurrency');
  const racer = useProjectOwner(t, 'racer@example.com', 'Race');

  /** A request of the racer's. */
  const asRacer: TestHost['request'] = (method, path, options = {}) =>
    t.request(method, path, { token: racer.token, ...options });
  const newTask = async (): Promise<string> =>
    String(
      (await createTask(t, racer.token, { projectId: racer.projectId, title: 'Contended' }))['id'],
    );

  it('50 parallel PATCHes without If-Match: none lost, versions 1…51 contiguous in history', async () => {
    const id = await newTask();

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        asRacer('PATCH', `/tasks/${id}`, { body: { description: `edit ${i}` } }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    const final = asRecord((await asRacer('GET', `/tasks/${id}`)).body);
    expect(final['version']).toBe(51);
    const history = itemsOf((await asRacer('GET', `/tasks/${id}/history`)).body);
    expect(history.map((e) => e['version'])).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    const written = history
      .slice(1)
      .map((e) => asRecord(asRecord(e['changes'])['description'])['newValue']);
    expect(new Set(written)).toEqual(new Set(Array.from({ length: 50 }, (_, i) => `edit ${i}`)));
    // Each change's old value is exactly the previous version's new value: no lost update.
    history.slice(2).forEach((entry, i) => {
      expect(asRecord(asRecord(entry['changes'])['description'])['oldValue']).toBe(written[i]);
    });
  });

  it('parallel PATCHes of different fields all survive', async () => {
    const id = await newTask();
    const patches = [
      { title: 'Renamed' },
      { priority: 'urgent' },
      { status: 'in_progress' },
      { labels: ['one', 'two'] },
      { dueDate: '2032-05-06T07:08:09Z' },
      { description: 'described' },
    ];

    const responses = await Promise.all(
      patches.map((body) => asRacer('PATCH', `/tasks/${id}`, { body })),
    );

    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(asRecord((await asRacer('GET', `/tasks/${id}`)).body)).toMatchObject({
      title: 'Renamed',
      priority: 'urgent',
      status: 'in_progress',
      labels: ['one', 'two'],
      dueDate: '2032-05-06T07:08:09.000Z',
      description: 'described',
      version: 1 + patches.length,
    });
  });

  it('parallel PATCHes with the same If-Match: exactly one wins, the rest get 412', async () => {
    const id = await newTask();

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        asRacer('PATCH', `/tasks/${id}`, {
          body: { title: `attempt ${i}` },
          headers: { 'if-match': '"1"' },
        }),
      ),
    );

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array.from({ length: 9 }, () => 412)]);
    const history = itemsOf((await asRacer('GET', `/tasks/${id}/history`)).body);
    expect(history.map((e) => e['version'])).toEqual([1, 2]);
  });

  it('parallel member removals never leave a project without an owner', async () => {
    const [a, b] = await Promise.all([
      t.login('owner-a@example.com'),
      t.login('owner-b@example.com'),
    ]);
    const project = await createProject(t, a.token, 'Owners');
    await t.request('POST', `/projects/${project}/members`, {
      token: a.token,
      body: { userId: b.userId, role: 'owner' },
    });

    const [removeB, removeA] = await Promise.all([
      t.request('DELETE', `/projects/${project}/members/${b.userId}`, { token: a.token }),
      t.request('DELETE', `/projects/${project}/members/${a.userId}`, { token: b.token }),
    ]);

    const outcomes = [removeA.status, removeB.status].sort();
    // One removal wins; the other then finds its actor removed (404) or the last owner (409).
    expect(outcomes[0]).toBe(204);
    expect([404, 409]).toContain(outcomes[1]);
    const survivor = removeA.status === 204 ? b : a;
    const members = asRecord(
      (await t.request('GET', `/projects/${project}`, { token: survivor.token })).body,
    )['members'];
    expect(members).toEqual([expect.objectContaining({ userId: survivor.userId, role: 'owner' })]);
  });
});
