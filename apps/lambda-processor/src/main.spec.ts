import { randomUUID } from 'node:crypto';
import { eventBusEnv, functionTestbed } from '@taskflow/app-testing';
import {
  eventBridgeEvent,
  invokeBundle,
  lambdaContext,
  useLambdaWithEventBus,
} from '@taskflow/platform-testing';

const SECRET = 'lambda-processor-spec-secret-0123456789';

/** The seed's `aws events put-events` example, as the rule delivers it to the processor. */
const seedTaskCreated = (id = randomUUID(), title = 'Test Task') =>
  eventBridgeEvent(
    'task.management',
    'Task Created',
    {
      eventType: 'task.created',
      taskData: {
        title,
        description: 'Testing the system',
        priority: 'high',
        assigned_to: 'user@example.com',
        created_by: 'manager@example.com',
      },
    },
    id,
  );

describe('processor Lambda (EventBridge target)', () => {
  const lambda = useLambdaWithEventBus(
    (bus) => functionTestbed('processor', { JWT_SECRET: SECRET, ...eventBusEnv(bus) }),
    () => import('./main'),
  );

  const tasksTitled = async (title: string): Promise<number> => {
    const { rows } = await lambda.world.persistence.db.query<{ n: number }>({
      text: 'SELECT count(*) AS n FROM tasks WHERE title = $1',
      values: [title],
    });
    return rows[0]?.n ?? 0;
  };

  it('creates the task of the seed’s put-events example and publishes task.created', async () => {
    const event = seedTaskCreated(randomUUID(), 'Seed example');
    const outcome = await lambda.main.handler(event, lambdaContext('taskflow-processor'));

    expect(outcome).toMatchObject({ eventType: 'task.created', duplicate: false });
    expect(await tasksTitled('Seed example')).toBe(1);
    const published = lambda.bus.received.map(
      (e) => JSON.parse(e.entry.Detail ?? '{}') as { type: string; correlationId: string },
    );
    expect(published).toContainEqual(
      expect.objectContaining({ type: 'task.created', correlationId: event.id }),
    );
  });

  it('a redelivered event (same id) changes nothing', async () => {
    const event = seedTaskCreated(randomUUID(), 'Delivered twice');
    await lambda.main.handler(event, lambdaContext('taskflow-processor'));
    const again = await lambda.main.handler(event, lambdaContext('taskflow-processor'));

    expect(again).toMatchObject({ duplicate: true });
    expect(await tasksTitled('Delivered twice')).toBe(1);
  });

  it('rejects an invalid event with the field at fault, so Lambda retries then dead-letters it', async () => {
    const event = eventBridgeEvent('task.management', 'Task Created', {
      eventType: 'task.created',
      taskData: { description: 'no title' },
    });
    await expect(lambda.main.handler(event, lambdaContext('taskflow-processor'))).rejects.toThrow(
      /detail\.taskData\.title/,
    );
  });

  it('rejects an unknown event type, and an event that is not an EventBridge event at all', async () => {
    await expect(
      lambda.main.handler(
        eventBridgeEvent('task.management', 'Task Archived', { eventType: 'task.archived' }),
        lambdaContext('taskflow-processor'),
      ),
    ).rejects.toThrow(/task\.archived|Task Archived/);
    await expect(
      lambda.main.handler({ hello: 'world' } as never, lambdaContext('taskflow-processor')),
    ).rejects.toThrow();
  });

  it('the built bundle processes an event in a fresh process, with its outcome in logs and metrics', async () => {
    const good = seedTaskCreated(randomUUID(), 'Bundled processor');
    const bad = eventBridgeEvent('task.management', 'Task Updated', {
      eventType: 'task.updated',
      taskId: 'not-a-uuid',
      updates: { status: 'done' },
    });
    const run = await invokeBundle(lambda.world.bundle, [good, good, bad], lambda.world.env, {
      functionName: 'taskflow-processor',
    });

    expect(run.invocations.map((i) => i.ok)).toEqual([true, true, false]);
    expect(run.invocations[1]).toMatchObject({ value: { duplicate: true } });
    expect(await tasksTitled('Bundled processor')).toBe(1);
    expect(run.logs.find((l) => l['message'] === 'event processed')).toMatchObject({
      correlation_id: good.id,
      service: 'taskflow-processor',
    });
    expect(run.logs.find((l) => l['message'] === 'event not processed')).toMatchObject({
      level: 'ERROR',
      correlation_id: bad.id,
      retryable: false,
      reason: expect.stringContaining('taskId'),
    });
    const metrics = run.logs.filter((l) => '_aws' in l);
    expect(metrics.some((m) => m['EventsProcessed'] === 1)).toBe(true);
    expect(metrics.some((m) => m['EventsDuplicate'] === 1)).toBe(true);
    expect(metrics.some((m) => m['EventsRejected'] === 1)).toBe(true);
  });
});
