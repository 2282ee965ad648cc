import { FakeEventBridge } from '@taskflow/platform-testing';
import { asRecord } from './testing/responses';
import { startTestHost } from './testing/test-host';

async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the host publishes its outbox', () => {
  it('locally: each command’s events are marked published right after commit (fast path)', async () => {
    const t = await startTestHost('relay-local');
    try {
      // Prepare
      const { token } = await t.login('relay@example.com');
      const project = asRecord(
        (await t.request('POST', '/projects', { token, body: { name: 'Relay' } })).body,
      );

      // Act
      await t.request('POST', '/tasks', {
        token,
        body: { projectId: project['id'], title: 'Published' },
      });
      const pending = await eventually(
        async () =>
          (
            await t.host.persistence.db.query<{ n: number }>({
              text: 'SELECT count(*) AS n FROM outbox_pending',
              values: [],
            })
          ).rows[0]?.n,
        (n) => n === 0,
      );

      // Assess
      expect(pending).toBe(0);
    } finally {
      await t.stop();
    }
  });

  it('to EventBridge when a bus is configured: the real SDK client, Source and DetailType per event', async () => {
    const fake = await FakeEventBridge.start();
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
    });
    const t = await startTestHost('relay-eventbridge', {
      region: 'eu-west-1',
      events: {
        busName: 'taskflow-test',
        source: 'taskflow.tasks',
        endpoint: fake.url,
        awsCredentials: true,
        useEventBridge: true,
      },
    });
    try {
      const { token } = await t.login('bridge@example.com');
      const project = asRecord(
        (await t.request('POST', '/projects', { token, body: { name: 'Bridge' } })).body,
      );
      const task = asRecord(
        (
          await t.request('POST', '/tasks', {
            token,
            body: { projectId: project['id'], title: 'Bridged' },
          })
        ).body,
      );

      const received = await eventually(
        () => Promise.resolve(fake.received.map((r) => r.entry)),
        (entries) => entries.some((e) => e.DetailType === 'Task Created'),
      );

      const created = received.find((e) => e.DetailType === 'Task Created');
      expect(created).toMatchObject({ Source: 'taskflow.tasks', EventBusName: 'taskflow-test' });
      expect(JSON.parse(created?.Detail ?? '{}')).toMatchObject({
        type: 'task.created',
        aggregateId: task['id'],
        schemaVersion: 1,
      });
      expect(received.map((e) => e.DetailType)).toEqual(
        expect.arrayContaining(['Project Created', 'Project Member Added']),
      );
    } finally {
      await t.stop();
      await fake.stop();
      process.env = saved;
    }
  });
});
