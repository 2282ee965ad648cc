import { randomUUID } from 'node:crypto';
import type { PutEventsEntry } from '@taskflow/platform-local-bus';
import { createLocalBus, createTaskProcessor } from './eventing';
import { type SseConnection, openSse } from './testing/sse-client';
import { SEED_ENTRY } from './testing/seed-example';
import { useTestHost } from './testing/test-host';

/** The entry as the EventBridge rule delivers it to the processor Lambda. */
const asDeliveredEvent = (entry: PutEventsEntry) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': entry.DetailType,
  source: entry.Source,
  account: '123456789012',
  time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: 'eu-west-1',
  resources: [],
  detail: JSON.parse(entry.Detail ?? '{}') as unknown,
});

describe('the seed’s put-events example, end to end, to a subscribed SSE client', () => {
  const t = useTestHost('seed_live');
  let inbox: string;
  let sse: SseConnection;

  beforeAll(async () => {
    // The first event sets up the default project and makes the people it names members.
    const bootstrap = await createTaskProcessor(t.host).process(asDeliveredEvent(SEED_ENTRY));
    inbox = bootstrap.projectId;
    const manager = await t.login('manager@example.com');
    sse = await openSse(`${t.url}/projects/${inbox}/stream`, {
      authorization: `Bearer ${manager.token}`,
    });
  });

  afterAll(() => {
    sse.close();
  });

  it('as its event JSON, given to the processor (what the processor Lambda runs)', async () => {
    const outcome = await createTaskProcessor(t.host).process(asDeliveredEvent(SEED_ENTRY));

    const created = await sse.waitUntil(
      (e) => e.event === 'task.created' && e.data.includes(outcome.taskId),
    );
    expect(JSON.parse(created.data)).toMatchObject({
      type: 'task.created',
      projectId: inbox,
      aggregateId: outcome.taskId,
      data: { task: { title: 'Test Task', priority: 'high' } },
    });
  });

  it('through the local bus, as `npm run events:put` sends it', async () => {
    const processed: string[] = [];
    const processor = createTaskProcessor(t.host);
    const bus = createLocalBus(t.host, {
      processor: async (event) => {
        const outcome = await processor.process(event);
        processed.push(outcome.taskId);
        return outcome;
      },
    });

    const answer = await bus.putEvents([SEED_ENTRY]);
    expect(answer.FailedEntryCount).toBe(0);
    await bus.drain();

    expect(processed).toHaveLength(1);
    const taskId = processed[0] ?? '';
    const created = await sse.waitUntil(
      (e) => e.event === 'task.created' && e.data.includes(taskId),
    );
    expect(JSON.parse(created.data)).toMatchObject({
      aggregateId: taskId,
      projectId: inbox,
      data: { task: { title: 'Test Task' } },
    });
  });
});
