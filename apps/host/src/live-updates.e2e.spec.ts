import { composeHost } from './composition';
import { listen } from './server';
import { addMember, createTask, useLogin, useProjectOwner } from './testing/fixtures';
import { asRecord } from './testing/responses';
import { useTestHost } from './testing/test-host';
import { type SseConnection, openSse } from './testing/sse-client';

describe('live project streams (SSE) over real HTTP', () => {
  const t = useTestHost('live');
  const owner = useProjectOwner(t, 'live-owner@example.com', 'Live');
  const editor = useLogin(t, 'live-editor@example.com');
  const open: SseConnection[] = [];

  const stream = async (
    headers: Record<string, string> = {},
    query = '',
    token = owner.token,
  ): Promise<SseConnection> => {
    const connection = await openSse(`${t.url}/projects/${owner.projectId}/stream${query}`, {
      authorization: `Bearer ${token}`,
      ...headers,
    });
    open.push(connection);
    return connection;
  };
  const newTask = (title: string) =>
    createTask(t, editor.token, { projectId: owner.projectId, title });

  beforeAll(async () => {
    await addMember(t, owner, editor, 'editor');
  });

  afterEach(() => {
    for (const connection of open.splice(0)) connection.close();
  });

  it('pushes each committed event to a subscribed member, with a resumable id', async () => {
    const sse = await stream();
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toContain('text/event-stream');

    const task = await newTask('Seen live');
    const [created] = await sse.waitFor(1, 'task.created');

    const envelope = asRecord(JSON.parse(created?.data ?? 'null'));
    expect(envelope).toMatchObject({
      type: 'task.created',
      projectId: owner.projectId,
      aggregateId: task['id'],
      schemaVersion: 1,
    });
    expect(created?.id).toMatch(/^\d+\.[0-9a-f-]{36}$/);
  });

  it('a client that has the response headers sees every commit made after, even at once', async () => {
    // No waiting for any event first: the headers alone promise the subscription is in place.
    for (let round = 0; round < 10; round += 1) {
      const sse = await stream();
      const task = await newTask(`at once ${round}`);
      const created = await sse.waitFor(1, 'task.created');
      expect(asRecord(JSON.parse(created[0]?.data ?? 'null'))['aggregateId']).toBe(task['id']);
      sse.close();
    }
  });

  it('resumes after Last-Event-ID with no gap and no repeat', async () => {
    const first = await stream();
    await newTask('one');
    const [one] = await first.waitFor(1, 'task.created');
    first.close();
    const missed = [await newTask('two'), await newTask('three')];

    const resumed = await stream({ 'last-event-id': one?.id ?? '' });
    const live = await newTask('four');
    const created = await resumed.waitFor(3, 'task.created');

    expect(created.map((e) => asRecord(JSON.parse(e.data))['aggregateId'])).toEqual(
      [...missed, live].map((x) => x['id']),
    );
    // stream.open repeats the position reached by the catch-up: it is a marker, not an event.
    const ids = resumed.events.filter((e) => e.event !== 'stream.open').map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a reading client catches up on over 1 MB of events in one pass without being cut off', async () => {
    const first = await stream();
    await newTask('before the big ones');
    const [mark] = await first.waitFor(1, 'task.created');
    first.close();
    const description = 'd'.repeat(10_000);
    const created: string[] = [];
    for (let i = 0; i < 120; i += 1) {
      const body = asRecord(
        (
          await t.request('POST', '/tasks', {
            token: editor.token,
            body: { projectId: owner.projectId, title: `big ${String(i)}`, description },
          })
        ).body,
      );
      created.push(String(body['id']));
    }

    const resumed = await stream({ 'last-event-id': mark?.id ?? '' });
    const events = await resumed.waitFor(120, 'task.created', 30_000);
    expect(events.map((e) => asRecord(JSON.parse(e.data))['aggregateId'])).toEqual(created);
    expect(resumed.events.some((e) => e.event === 'stream.end')).toBe(false);
  });

  it('opens with a short-lived ticket instead of a bearer token (browsers)', async () => {
    const issued = await t.request('POST', `/projects/${owner.projectId}/stream-tickets`, {
      token: editor.token,
    });
    expect(issued.status).toBe(201);
    const url = String(asRecord(issued.body)['streamUrl']);

    const sse = await openSse(`${t.url}${url}`);
    open.push(sse);
    await newTask('via ticket');

    expect(sse.status).toBe(200);
    await sse.waitFor(1, 'task.created');
  });

  it.each([
    ['no credentials', () => ({}), '', 401],
    ['a bad token', () => ({ authorization: 'Bearer nope' }), '', 401],
    ['a forged ticket', () => ({}), '?ticket=a.b.c', 401],
    ['an unknown parameter', () => ({ authorization: `Bearer ${owner.token}` }), '?x=1', 400],
    [
      'a malformed Last-Event-ID',
      () => ({ authorization: `Bearer ${owner.token}`, 'last-event-id': 'garbage' }),
      '',
      400,
    ],
  ])('refuses %s with a problem', async (_case, headers, query, status) => {
    const response = await fetch(`${t.url}/projects/${owner.projectId}/stream${query}`, {
      headers: headers(),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a non-member cannot tell the project exists (404), nor get a ticket for it', async () => {
    const stranger = await t.login('live-stranger@example.com');
    const response = await fetch(`${t.url}/projects/${owner.projectId}/stream`, {
      headers: { authorization: `Bearer ${stranger.token}` },
    });
    expect(response.status).toBe(404);
    expect(
      (
        await t.request('POST', `/projects/${owner.projectId}/stream-tickets`, {
          token: stranger.token,
        })
      ).status,
    ).toBe(404);
  });

  it('a removed member’s stream ends right after the removal event', async () => {
    const viewer = await t.login('live-viewer@example.com');
    await t.request('POST', `/projects/${owner.projectId}/members`, {
      token: owner.token,
      body: { userId: viewer.userId, role: 'viewer' },
    });
    const sse = await stream({}, '', viewer.token);

    await t.request('DELETE', `/projects/${owner.projectId}/members/${viewer.userId}`, {
      token: owner.token,
    });
    await sse.ended;

    // The viewer's own `project.member_added` may come too: a commit just before the stream
    // opened is still delivered while an older transaction on the server holds it back.
    const types = sse.events.map((e) => e.event).filter((type) => type !== 'project.member_added');
    expect(types).toEqual(['stream.open', 'project.member_removed', 'stream.end']);
    expect(JSON.parse(sse.events.at(-1)?.data ?? '{}')).toEqual({ reason: 'revoked' });
  });

  it('a member whose role changes gets the change on their stream, which stays open', async () => {
    const member = await t.login('live-promoted@example.com');
    await addMember(t, owner, member, 'viewer');
    const sse = await stream({}, '', member.token);
    const path = `/projects/${owner.projectId}/members/${member.userId}`;

    await t.request('PATCH', path, { token: owner.token, body: { role: 'editor' } });
    const [changed] = await sse.waitFor(1, 'project.member_role_changed');
    // Now an editor, on the same stream: their own write comes back on it.
    const task = await createTask(t, member.token, { projectId: owner.projectId, title: 'mine' });
    const [created] = await sse.waitFor(1, 'task.created');

    expect(asRecord(JSON.parse(changed?.data ?? 'null'))).toMatchObject({
      type: 'project.member_role_changed',
      actor: owner.userId,
      data: { userId: member.userId, from: 'viewer', to: 'editor' },
    });
    expect(asRecord(JSON.parse(created?.data ?? 'null'))['aggregateId']).toBe(task['id']);
    expect(sse.events.map((e) => e.event)).not.toContain('stream.end');
  });

  it('a host shutting down ends its streams with reason "shutdown" and stops at once', async () => {
    const second = await composeHost({ ...t.host.config });
    const running = await listen(second, 0, '127.0.0.1');
    const sse = await openSse(`${running.url}/projects/${owner.projectId}/stream`, {
      authorization: `Bearer ${owner.token}`,
    });
    open.push(sse);
    const started = performance.now();
    await running.stop();
    await sse.ended;
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(sse.events.at(-1)).toMatchObject({ event: 'stream.end', data: '{"reason":"shutdown"}' });
  });

  it('two hosts on one database both deliver a commit made through either', async () => {
    const second = await composeHost({ ...t.host.config });
    const running = await listen(second, 0, '127.0.0.1');
    try {
      const viaFirst = await stream();
      const viaSecond = await openSse(`${running.url}/projects/${owner.projectId}/stream`, {
        authorization: `Bearer ${owner.token}`,
      });
      open.push(viaSecond);

      const task = await newTask('seen everywhere');
      const [a] = await viaFirst.waitFor(1, 'task.created');
      const [b] = await viaSecond.waitFor(1, 'task.created');

      expect(asRecord(JSON.parse(a?.data ?? 'null'))['aggregateId']).toBe(task['id']);
      expect(b?.id).toBe(a?.id);
    } finally {
      for (const connection of open.splice(0)) connection.close();
      await running.stop(500);
    }
  });

  it('two hosts deliver every event written through either, in the same order', async () => {
    // The safety poll is out of the picture: what arrives was woken by the commit, in this host
    // or through the other's NOTIFY.
    const hosts = await Promise.all(
      [0, 1].map(async () => {
        const host = await composeHost(
          { ...t.host.config },
          { migrate: false, liveUpdates: { safetyPollMs: 600_000 } },
        );
        return listen(host, 0, '127.0.0.1');
      }),
    );
    const createVia = async (url: string, title: string): Promise<string> => {
      const response = await fetch(`${url}/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${editor.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ projectId: owner.projectId, title }),
      });
      expect(response.status).toBe(201);
      return String(asRecord(await response.json())['id']);
    };
    try {
      const streams = await Promise.all(
        hosts.map((running) =>
          openSse(`${running.url}/projects/${owner.projectId}/stream`, {
            authorization: `Bearer ${owner.token}`,
          }),
        ),
      );
      open.push(...streams);
      const created: string[] = [];
      for (let round = 0; round < 10; round += 1) {
        // Concurrent commits through both hosts.
        created.push(
          ...(await Promise.all(
            hosts.map((running, i) => createVia(running.url, `${i} ${round}`)),
          )),
        );
      }
      const seen = await Promise.all(streams.map((sse) => sse.waitFor(20, 'task.created')));
      const [first, other] = seen.map((events) =>
        events.map((e) => String(asRecord(JSON.parse(e.data))['aggregateId'])),
      );
      expect(first).toHaveLength(20);
      expect(new Set(first)).toEqual(new Set(created));
      // One log, one order: both streams carry it, with the same resumable ids.
      expect(other).toEqual(first);
      expect(seen[1]?.map((e) => e.id)).toEqual(seen[0]?.map((e) => e.id));

      // A commit through one host alone, when the other has nothing of its own to read: only
      // the wake-up NOTIFY can tell the other.
      const [firstStream] = streams;
      const alone = await createVia(hosts[1]?.url ?? '', 'alone');
      const [arrived] = (await firstStream?.waitFor(21, 'task.created', 3_000))?.slice(-1) ?? [];
      expect(asRecord(JSON.parse(arrived?.data ?? 'null'))['aggregateId']).toBe(alone);
    } finally {
      for (const connection of open.splice(0)) connection.close();
      await Promise.all(hosts.map((running) => running.stop(500)));
    }
  });
});
