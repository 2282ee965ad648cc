import { useProjectOwner } from './testing/fixtures';
import { asRecord, itemsOf } from './testing/responses';
import { useTestHost } from './testing/test-host';

describe('Idempotency-Key on POST', () => {
  const t = useTestHost('idempotency');
  const owner = useProjectOwner(t, 'retry@example.com', 'Retries');

  const countTasks = async (): Promise<number> =>
    itemsOf(
      (
        await t.request('GET', `/tasks?projectId=${owner.projectId}&limit=100`, {
          token: owner.token,
        })
      ).body,
    ).length;

  const post = (key: string, body: Record<string, unknown>, path = '/tasks') =>
    t.request('POST', path, { token: owner.token, body, headers: { 'idempotency-key': key } });

  it('a retry with the same key and body returns the first response without a second write', async () => {
    const before = await countTasks();
    const first = await post('create-1', { projectId: owner.projectId, title: 'Once' });
    // The same body written differently (key order, spacing) is the same request.
    const retry = await t.request('POST', '/tasks', {
      token: owner.token,
      raw: `{ "title": "Once",   "projectId": "${owner.projectId}" }`,
      headers: { 'idempotency-key': 'create-1', 'content-type': 'application/json' },
    });

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('etag')).toBe('"1"');
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await countTasks()).toBe(before + 1);
  });

  it('a route that takes no Idempotency-Key ignores it: each stream ticket is issued afresh', async () => {
    const path = `/projects/${owner.projectId}/stream-tickets`;
    const first = await t.request('POST', path, {
      token: owner.token,
      headers: { 'idempotency-key': 'tk-1' },
    });
    const again = await t.request('POST', path, {
      token: owner.token,
      headers: { 'idempotency-key': 'tk-1' },
    });

    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });

  it('the same key with another body → 422, nothing written', async () => {
    await post('create-2', { projectId: owner.projectId, title: 'First' });
    const before = await countTasks();

    const reused = await post('create-2', { projectId: owner.projectId, title: 'Second' });

    expect(reused.status).toBe(422);
    expect(asRecord(reused.body)['code']).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countTasks()).toBe(before);
  });

  it('the same key on another route is another request → 422', async () => {
    await post('shared-key', { projectId: owner.projectId, title: 'Task' });
    expect((await post('shared-key', { name: 'Project' }, '/projects')).status).toBe(422);
  });

  it('20 concurrent requests with one key create one task and all answer it', async () => {
    const before = await countTasks();

    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        post('burst', { projectId: owner.projectId, title: 'Burst' }),
      ),
    );

    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(new Set(responses.map((r) => asRecord(r.body)['id'])).size).toBe(1);
    expect(await countTasks()).toBe(before + 1);
  });

  it('a failed request is not remembered: after fixing the body the key works', async () => {
    const bad = await post('fix-me', { projectId: owner.projectId, title: '   ' });
    expect(bad.status).toBe(400);
    const good = await post('fix-me', { projectId: owner.projectId, title: 'Fixed' });
    expect(good.status).toBe(201);
  });

  it('keys are per user: another user’s identical key is a separate request', async () => {
    const other = await t.login('other-retry@example.com');
    const mine = await post('per-user', { name: 'Mine' }, '/projects');
    const theirs = await t.request('POST', '/projects', {
      token: other.token,
      body: { name: 'Mine' },
      headers: { 'idempotency-key': 'per-user' },
    });
    expect(theirs.status).toBe(201);
    expect(asRecord(theirs.body)['id']).not.toBe(asRecord(mine.body)['id']);
  });

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['non-ASCII', 'clé'],
  ])('a %s key → 400 naming Idempotency-Key', async (_case, key) => {
    const response = await t.request('POST', '/projects', {
      token: owner.token,
      body: { name: 'x' },
      headers: { 'idempotency-key': key },
    });
    expect(response.status).toBe(400);
    expect(asRecord(response.body)['errors']).toEqual([
      expect.objectContaining({ path: 'Idempotency-Key' }),
    ]);
  });
});
