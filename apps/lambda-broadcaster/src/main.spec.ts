import { randomUUID } from 'node:crypto';
import { type EventEnvelope } from '@taskflow/platform-events';
import { type FunctionTestbed, functionTestbed } from '@taskflow/app-testing';
import type { Persistence } from '@taskflow/app-composition';
import {
  FakeApiGatewayManagementServer,
  SAMPLE_IDS,
  eventBridgeEvent,
  invokeBundle,
  lambdaContext,
  openedConnection,
  sampleEnvelopes,
} from '@taskflow/platform-testing';

const { OWNER, EDITOR } = SAMPLE_IDS;

/** The function's AWS_REGION (the testbed's), and the other region of a two-region deployment. */
const REGION = 'eu-west-1';
const OTHER_REGION = 'eu-central-1';

describe('broadcaster Lambda (Taskflow events to WebSocket connections)', () => {
  let bed: FunctionTestbed;
  let persistence: Persistence;
  let gateway: FakeApiGatewayManagementServer;
  let main: typeof import('./main');

  const taskDeleted = (projectId: string): EventEnvelope =>
    sampleEnvelopes.taskDeleted({
      projectId,
      id: randomUUID(),
      aggregateId: randomUUID(),
      correlationId: 'corr-1',
    });
  const busEvent = (envelope: EventEnvelope) =>
    eventBridgeEvent(
      'taskflow.tasks',
      'Task Deleted',
      JSON.parse(JSON.stringify(envelope)) as unknown,
    );

  /**
   * A connection open at the fake gateway and kept in the table by `region`'s ws-connect, for a
   * member of `projectId`.
   */
  const connect = async (projectId: string, userId: string, region = REGION): Promise<string> => {
    const connectionId = gateway.connect();
    const connection = openedConnection({
      connectionId,
      projectId,
      userId,
      now: new Date(),
      ageMs: 60_000,
      maxAgeMs: 7_200_000,
    });
    await persistence.connections.inRegion(region).add(connection);
    return connectionId;
  };
  const kept = async (projectId: string): Promise<string[]> =>
    (await persistence.connections.forProject(projectId, new Date()))
      .map((c) => c.connectionId)
      .sort();

  beforeAll(async () => {
    gateway = await FakeApiGatewayManagementServer.start();
    bed = await functionTestbed('broadcaster', {
      WEBSOCKET_CALLBACK_URL: gateway.endpoint('prod'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    persistence = bed.persistence;
    main = await import('./main');
  });

  afterAll(async () => {
    await (await main.ready()).persistence.close();
    await bed.stop();
    await gateway.stop();
  });

  it('posts the event to every connection of its project, and only there', async () => {
    const project = randomUUID();
    const [a, b] = [await connect(project, OWNER), await connect(project, EDITOR)];
    const elsewhere = await connect(randomUUID(), OWNER);
    const envelope = taskDeleted(project);

    const outcome = await main.handler(busEvent(envelope), lambdaContext());

    expect(outcome).toMatchObject({ connections: 2, sent: 2, gone: 0, failed: 0 });
    for (const id of [a, b])
      expect(gateway.received(id).map((m) => (JSON.parse(m) as { id: string }).id)).toEqual([
        envelope.id,
      ]);
    expect(gateway.received(elsewhere)).toEqual([]);
  });

  it('drops connections the gateway says are gone', async () => {
    const project = randomUUID();
    const live = await connect(project, OWNER);
    const gone = await connect(project, EDITOR);
    gateway.disconnect(gone);

    const outcome = await main.handler(busEvent(taskDeleted(project)), lambdaContext());

    expect(outcome).toMatchObject({ sent: 1, gone: 1 });
    expect(await kept(project)).toEqual([live]);
  });

  it("neither posts to nor drops the other region's connections, which its endpoint cannot reach", async () => {
    // Prepare: one the gateway answers for (it must not be sent to all the same) and one it
    // answers 410 Gone for, as this region's endpoint does for every other region's connection
    const project = randomUUID();
    const own = await connect(project, OWNER);
    const answered = await connect(project, EDITOR, OTHER_REGION);
    const gone = await connect(project, EDITOR, OTHER_REGION);
    gateway.disconnect(gone);

    // Act
    const outcome = await main.handler(busEvent(taskDeleted(project)), lambdaContext());

    // Assess
    expect(outcome).toMatchObject({ connections: 1, sent: 1, gone: 0 });
    expect(gateway.received(own)).toHaveLength(1);
    expect(gateway.received(answered)).toEqual([]);
    expect(await kept(project)).toEqual([own, answered, gone].sort());
  });

  it('rejects an event whose detail is not a Taskflow envelope, naming the field', async () => {
    await expect(
      main.handler(
        eventBridgeEvent('taskflow.tasks', 'Task Deleted', { id: 'x' }),
        lambdaContext(),
      ),
    ).rejects.toThrow(/detail/);
  });

  it('the built bundle broadcasts in a fresh process and emits its counts as metrics', async () => {
    const project = randomUUID();
    const id = await connect(project, OWNER);
    const envelope = taskDeleted(project);

    const run = await invokeBundle(bed.bundle, [busEvent(envelope)], bed.env, {
      functionName: 'taskflow-broadcaster',
    });

    expect(run.invocations).toEqual([
      expect.objectContaining({ ok: true, value: expect.objectContaining({ sent: 1 }) }),
    ]);
    expect(gateway.received(id)).toHaveLength(1);
    expect(run.logs.some((l) => l['BroadcastSent'] === 1)).toBe(true);
    expect(run.logs.find((l) => l['message'] === 'broadcast')).toMatchObject({
      service: 'taskflow-broadcaster',
      correlation_id: expect.any(String),
    });
  });
});
