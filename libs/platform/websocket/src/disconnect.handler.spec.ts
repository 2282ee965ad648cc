import {
  WEBSOCKET_MAX_CONNECTION_MS,
  type WebSocketConnection,
} from '@taskflow/platform-live-updates';
import { FixedClock, InMemoryConnectionStore } from '@taskflow/platform-testing';
import { DEFAULT_PURGE_BATCH, handleDisconnect } from './disconnect.handler';
import { connectEvent, disconnectEvent } from './testing/api-gateway-events.fixture';
import { InvalidWebSocketEventError } from './websocket-events';

const PROJECT = '01900000-0000-7000-8000-000000000001';
const USER = '01900000-0000-7000-8000-0000000000a1';

describe('handleDisconnect', () => {
  // Nothing here moves the clock: one serves every test.
  const clock = new FixedClock('2026-02-09T20:00:00.000Z');
  let store: InMemoryConnectionStore;

  beforeEach(() => {
    store = new InMemoryConnectionStore();
  });

  /** What the handler is given: the store (as its connection store) and the clock. */
  const deps = () => ({ connections: store, clock });

  /** Registers a connection opened `hoursAgo` before now. */
  async function opened(connectionId: string, hoursAgo: number): Promise<WebSocketConnection> {
    const connectedAt = new Date(clock.now().getTime() - hoursAgo * 3_600_000);
    const connection = {
      connectionId,
      projectId: PROJECT,
      userId: USER,
      connectedAt,
      expiresAt: new Date(connectedAt.getTime() + WEBSOCKET_MAX_CONNECTION_MS),
    };
    await store.add(connection);
    return connection;
  }

  it('forgets the connection that closed and keeps the others', async () => {
    // Prepare
    await opened('TWegAeXYIAMCE5Q=', 0.5);
    const other = await opened('other=', 0.5);

    // Act
    const result = await handleDisconnect(disconnectEvent('TWegAeXYIAMCE5Q='), deps());

    // Assess
    expect(result).toEqual({ statusCode: 200, headers: {}, body: '' });
    expect(store.all).toEqual([other]);
  });

  it('purges up to a batch of expired connections, oldest first', async () => {
    // Prepare
    const live = await opened('live=', 1);
    for (const [i, hours] of [5, 4, 3, 2.5].entries()) await opened(`stale-${i}=`, hours);

    // Act
    await handleDisconnect(disconnectEvent('unknown='), { ...deps(), purgeBatch: 3 });

    // Assess
    expect(store.all.map((c) => c.connectionId)).toEqual([live.connectionId, 'stale-3=']);
  });

  it(`purges ${DEFAULT_PURGE_BATCH} expired connections at a time unless told otherwise`, async () => {
    // Prepare
    for (let i = 0; i < DEFAULT_PURGE_BATCH + 5; i += 1) await opened(`stale-${i}=`, 3);

    // Act
    await handleDisconnect(disconnectEvent(), deps());

    // Assess
    expect(store.all).toHaveLength(5);
  });

  it('fails when the store cannot forget the connection', async () => {
    // Prepare
    store.failOn('remove', new Error('database down'));

    // Act
    const outcome = handleDisconnect(disconnectEvent(), deps());

    // Assess
    await expect(outcome).rejects.toThrow('database down');
  });

  it('fails when the purge fails, having forgotten the connection', async () => {
    // Prepare
    await opened('TWegAeXYIAMCE5Q=', 0.5);
    store.failOn('purgeExpired', new Error('database down'));

    // Act
    const outcome = handleDisconnect(disconnectEvent('TWegAeXYIAMCE5Q='), deps());

    // Assess
    await expect(outcome).rejects.toThrow('database down');
    expect(store.all).toEqual([]);
  });

  it('throws for a $connect event (a wiring mistake), naming the field', async () => {
    // Act
    const outcome = handleDisconnect(connectEvent(), deps());

    // Assess
    await expect(outcome).rejects.toThrow(InvalidWebSocketEventError);
    await expect(handleDisconnect(connectEvent(), deps())).rejects.toThrow(
      'requestContext.eventType: expected DISCONNECT, got "CONNECT"',
    );
  });
});
