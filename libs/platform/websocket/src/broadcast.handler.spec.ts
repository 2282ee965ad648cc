import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { type BusEvent, isPermanentFailure } from '@taskflow/platform-event-routing';
import {
  type ConnectionStore,
  WEBSOCKET_MAX_CONNECTION_MS,
  WebSocketBroadcaster,
} from '@taskflow/platform-live-updates';
import {
  FakeApiGatewayManagementServer,
  FixedClock,
  InMemoryConnectionStore,
  SAMPLE_IDS,
  TEST_EVENTS,
  broadcastOutcome,
  openedConnection,
  sampleEnvelopes,
} from '@taskflow/platform-testing';
import {
  ApiGatewayConnectionSender,
  createApiGatewayManagementClient,
} from './api-gateway-connection.sender';
import {
  type BroadcastDeps,
  InvalidBroadcastEventError,
  handleBroadcast,
} from './broadcast.handler';
import { STAGE, asDetail, eventBridgeEvent } from './testing/api-gateway-events.fixture';

const { OWNER, EDITOR } = SAMPLE_IDS;

const NOW = '2026-02-09T18:12:00.000Z';

const taskDeleted = sampleEnvelopes.taskDeleted({
  aggregateVersion: 4,
  occurredAt: NOW,
  correlationId: 'req-7',
});
const bobRemoved = sampleEnvelopes.memberRemoved({
  userId: EDITOR,
  aggregateVersion: 5,
  occurredAt: NOW,
});

describe('handleBroadcast (real SDK client against the fake management API)', () => {
  let fake: FakeApiGatewayManagementServer;
  let client: ApiGatewayManagementApiClient;
  let clock: FixedClock;
  let store: InMemoryConnectionStore;
  let deps: BroadcastDeps;

  beforeEach(async () => {
    fake = await FakeApiGatewayManagementServer.start();
    client = createApiGatewayManagementClient({
      endpoint: fake.endpoint(STAGE),
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
    clock = new FixedClock(NOW);
    store = new InMemoryConnectionStore();
    deps = broadcasting(5);
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  function broadcasting(concurrency: number): BroadcastDeps {
    const connections: ConnectionStore = store;
    return {
      events: TEST_EVENTS,
      broadcaster: new WebSocketBroadcaster(
        connections,
        new ApiGatewayConnectionSender(client),
        clock,
        { concurrency },
      ),
    };
  }

  /** A client connected to the fake an hour ago and registered for `userId`. */
  async function member(userId: string): Promise<string> {
    const connectionId = fake.connect();
    await store.add(
      openedConnection({
        connectionId,
        userId,
        now: clock.now(),
        maxAgeMs: WEBSOCKET_MAX_CONNECTION_MS,
      }),
    );
    return connectionId;
  }

  it('sends a Taskflow event to every client of its project as its envelope JSON', async () => {
    // Prepare
    const clients = [await member(OWNER), await member(OWNER), await member(EDITOR)];

    // Act
    const outcome = await handleBroadcast(eventBridgeEvent(asDetail(taskDeleted)), deps);

    // Assess
    expect(outcome).toEqual(broadcastOutcome({ connections: 3, sent: 3 }));
    for (const id of clients) {
      const [message] = fake.received(id);
      expect(JSON.parse(message ?? 'null')).toEqual(taskDeleted);
    }
  });

  it('forgets clients API Gateway reports gone, and counts a throttled one as failed', async () => {
    // Prepare
    const [left, throttled, fine] = [
      await member(OWNER),
      await member(OWNER),
      await member(EDITOR),
    ];
    fake.disconnect(left);
    fake.configure({
      failPosts: (id) =>
        id === throttled ? { type: 'LimitExceededException', status: 429 } : null,
    });

    // Act
    const outcome = await handleBroadcast(eventBridgeEvent(asDetail(taskDeleted)), deps);

    // Assess
    expect(outcome).toMatchObject({ connections: 3, sent: 1, gone: 1, failed: 1 });
    expect(store.all.map((c) => c.connectionId).sort()).toEqual([fine, throttled].sort());
    expect(fake.received(fine)).toHaveLength(1);
  });

  it('keeps at most `concurrency` management calls in flight', async () => {
    // Prepare
    for (let i = 0; i < 12; i += 1) await member(OWNER);
    fake.configure({ latencyMs: 20 });

    // Act
    const outcome = await handleBroadcast(eventBridgeEvent(asDetail(taskDeleted)), broadcasting(3));

    // Assess
    expect(outcome.sent).toBe(12);
    expect(fake.peakInFlight).toBe(3);
  });

  it('tells a removed member, ends and closes their connections through DeleteConnection', async () => {
    // Prepare
    const alice = await member(OWNER);
    const bob = await member(EDITOR);

    // Act
    const outcome = await handleBroadcast(
      eventBridgeEvent(asDetail(bobRemoved), 'Project Member Removed'),
      deps,
    );

    // Assess
    expect(outcome).toMatchObject({ sent: 2, closed: 1, closeFailed: 0 });
    const parsed = (id: string) => fake.received(id).map((text) => JSON.parse(text) as unknown);
    expect(parsed(bob)).toEqual([bobRemoved, { type: 'stream.end', reason: 'revoked' }]);
    expect(fake.closedBy(bob)).toBe('server');
    expect(parsed(alice)).toEqual([bobRemoved]);
    expect(fake.isOpen(alice)).toBe(true);
    expect(store.all.map((c) => c.connectionId)).toEqual([alice]);
  });

  it('takes an event from the local bus as well', async () => {
    // Prepare
    const alice = await member(OWNER);
    const busEvent: BusEvent = {
      ...eventBridgeEvent(asDetail(taskDeleted)),
      resources: Object.freeze([]),
    };

    // Act
    await handleBroadcast(busEvent, deps);

    // Assess
    expect(fake.received(alice)).toHaveLength(1);
  });

  it('sends only the members its schema knows', async () => {
    // Prepare
    const alice = await member(OWNER);
    const detail = { ...asDetail(taskDeleted), internal: 'not for clients' };

    // Act
    await handleBroadcast(eventBridgeEvent(detail), deps);

    // Assess
    expect(JSON.parse(fake.received(alice)[0] ?? 'null')).toEqual(taskDeleted);
  });

  it('fails, for the platform to retry, when the connections cannot be read', async () => {
    // Prepare
    await member(OWNER);
    store.failOn('forProject', new Error('database down'));

    // Act
    const outcome = handleBroadcast(eventBridgeEvent(asDetail(taskDeleted)), deps);

    // Assess
    await expect(outcome).rejects.toThrow('database down');
    expect(fake.calls).toEqual([]);
  });

  const valid = asDetail(taskDeleted);
  it.each<[string, unknown, string]>([
    ['no detail', null, 'detail: expected an event envelope (a JSON object)'],
    ['a detail that is a list', [valid], 'detail: expected an event envelope (a JSON object)'],
    ['no type', { ...valid, type: undefined }, 'detail.type: Required'],
    [
      'an unknown type',
      { ...valid, type: 'task.exploded' },
      'detail.type: unknown event type "task.exploded"',
    ],
    ['another schema version', { ...valid, schemaVersion: 2 }, 'detail.schemaVersion: '],
    ['an id that is not a UUID', { ...valid, id: '42' }, 'detail.id: '],
    ['no project id', { ...valid, projectId: undefined }, 'detail.projectId: '],
    [
      'data that breaks its schema',
      { ...asDetail(bobRemoved), data: { userId: 'bob', role: 'editor' } },
      'detail.data.userId: ',
    ],
  ])('refuses %s for good, naming the field, sending nothing', async (_case, detail, message) => {
    // Prepare
    const alice = await member(OWNER);

    // Act
    let thrown: unknown;
    try {
      await handleBroadcast(eventBridgeEvent(detail), deps);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(InvalidBroadcastEventError);
    expect((thrown as Error).message).toContain(
      `event 6a7e8feb-b491-4cf7-a9f1-bf3703467718 is not a Taskflow event envelope: ${message}`,
    );
    expect(isPermanentFailure(thrown)).toBe(true);
    expect(fake.received(alice)).toEqual([]);
    expect(fake.calls).toEqual([]);
  });
});
