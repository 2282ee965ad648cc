import { type EventEnvelope, toEnvelope } from '@taskflow/platform-events';
import {
  FixedClock,
  InMemoryConnectionStore,
  RecordingConnectionSender,
  type RecordingConnectionSenderOptions,
  SAMPLE_IDS,
  broadcastOutcome,
  openedConnection,
  sampleEnvelopes,
} from '@taskflow/platform-testing';
import {
  type BroadcastFailure,
  type ConnectionSender,
  type ConnectionStore,
  WEBSOCKET_MAX_CONNECTION_MS,
  WebSocketBroadcaster,
  type WebSocketBroadcasterOptions,
  type WebSocketConnection,
  eventMessage,
  streamEndMessage,
} from './websocket';

const { OTHER_PROJECT_ID, OWNER, EDITOR } = SAMPLE_IDS;

const NOW = '2026-01-01T12:00:00.000Z';

/** An event of no project. */
function userCreated(): EventEnvelope {
  return toEnvelope(
    {
      type: 'user.created',
      schemaVersion: 1,
      data: { user: { id: OWNER, name: 'Alice', email: 'alice@example.com', createdAt: NOW } },
      aggregateId: OWNER,
      aggregateVersion: 1,
      projectId: null,
      actor: null,
      occurredAt: NOW,
    },
    '0190a5f2-7c3e-7abc-8def-0000000000e2',
    null,
  );
}

describe('WebSocketBroadcaster', () => {
  let clock: FixedClock;
  let store: InMemoryConnectionStore;
  let failures: BroadcastFailure[];

  beforeEach(() => {
    clock = new FixedClock(NOW);
    store = new InMemoryConnectionStore();
    failures = [];
  });

  /** Registers a connection opened `ageMs` before now (one hour unless given). */
  async function connected(
    connectionId: string,
    userId: string,
    options: { projectId?: string; ageMs?: number } = {},
  ): Promise<WebSocketConnection> {
    const connection: WebSocketConnection = openedConnection({
      connectionId,
      userId,
      ...options,
      now: clock.now(),
      maxAgeMs: WEBSOCKET_MAX_CONNECTION_MS,
    });
    await store.add(connection);
    return connection;
  }

  function broadcaster(
    sender: RecordingConnectionSender,
    options: Partial<WebSocketBroadcasterOptions> = {},
  ): WebSocketBroadcaster {
    // The in-memory fakes must satisfy the real ports (they cannot import them: see the fakes).
    const ports: { store: ConnectionStore; sender: ConnectionSender } = { store, sender };
    return new WebSocketBroadcaster(ports.store, ports.sender, clock, options, (failure) =>
      failures.push(failure),
    );
  }

  function sender(options: RecordingConnectionSenderOptions = {}): RecordingConnectionSender {
    return new RecordingConnectionSender(options);
  }

  it('sends the event as its envelope JSON to every connection of its project, and only those', async () => {
    // Prepare
    await connected('a-1', OWNER);
    await connected('a-2', OWNER);
    await connected('b-1', EDITOR);
    await connected('x-1', EDITOR, { projectId: OTHER_PROJECT_ID });
    const wire = sender().connect('a-1', 'a-2', 'b-1', 'x-1');
    const event = sampleEnvelopes.taskDeleted();

    // Act
    const outcome = await broadcaster(wire).broadcast(event);

    // Assess
    expect(outcome).toEqual(broadcastOutcome({ connections: 3, sent: 3 }));
    for (const id of ['a-1', 'a-2', 'b-1']) {
      expect(wire.received(id).map((text) => JSON.parse(text) as unknown)).toEqual([event]);
    }
    expect(wire.received('x-1')).toEqual([]);
    expect(failures).toEqual([]);
  });

  it.each([1, 4, 16])('never has more than %i sends in flight', async (concurrency) => {
    // Prepare
    const ids = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    for (const id of ids) await connected(id, OWNER);
    const wire = sender({ latencyMs: 2 }).connect(...ids);

    // Act
    const outcome = await broadcaster(wire, { concurrency }).broadcast(
      sampleEnvelopes.taskDeleted(),
    );

    // Assess
    expect(outcome.sent).toBe(40);
    expect(wire.peakInFlight).toBe(concurrency);
  });

  it('forgets a connection that is gone and still sends to the others', async () => {
    // Prepare
    await connected('gone-1', OWNER);
    await connected('live-1', EDITOR);
    const wire = sender().connect('live-1');

    // Act
    const outcome = await broadcaster(wire).broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    expect(outcome).toMatchObject({ connections: 2, sent: 1, gone: 1, failed: 0 });
    expect(store.all.map((c) => c.connectionId)).toEqual(['live-1']);
    expect(wire.received('live-1')).toHaveLength(1);
  });

  it('keeps a connection that answers gone while it is still opening ($connect not returned yet)', async () => {
    // Prepare
    await connected('opening', OWNER, { ageMs: 5_000 });
    const wire = sender();

    // Act
    const outcome = await broadcaster(wire, { connectingGraceMs: 10_000 }).broadcast(
      sampleEnvelopes.taskDeleted(),
    );

    // Assess
    expect(outcome).toMatchObject({ connections: 1, sent: 0, gone: 0, connecting: 1 });
    expect(store.all.map((c) => c.connectionId)).toEqual(['opening']);
  });

  it('forgets a gone connection once it is older than the grace period', async () => {
    // Prepare
    await connected('stale', OWNER, { ageMs: 10_000 });

    // Act
    const outcome = await broadcaster(sender(), { connectingGraceMs: 10_000 }).broadcast(
      sampleEnvelopes.taskDeleted(),
    );

    // Assess
    expect(outcome).toMatchObject({ gone: 1, connecting: 0 });
    expect(store.all).toEqual([]);
  });

  it('does not send to connections past their expiry', async () => {
    // Prepare
    await connected('expired', OWNER, { ageMs: WEBSOCKET_MAX_CONNECTION_MS + 1 });
    const wire = sender().connect('expired');

    // Act
    const outcome = await broadcaster(wire).broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    expect(outcome.connections).toBe(0);
    expect(wire.calls).toEqual([]);
  });

  it('counts a failed send, reports it, keeps the connection, and still sends to the others', async () => {
    // Prepare
    await connected('throttled', OWNER);
    await connected('fine', EDITOR);
    const refusal = new Error('LimitExceededException');
    const wire = sender({
      failPost: (id) => (id === 'throttled' ? refusal : null),
    }).connect('throttled', 'fine');

    // Act
    const outcome = await broadcaster(wire).broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    expect(outcome).toMatchObject({ connections: 2, sent: 1, gone: 0, failed: 1 });
    expect(failures).toEqual([{ connectionId: 'throttled', stage: 'post', error: refusal }]);
    expect(store.all).toHaveLength(2);
    expect(wire.received('fine')).toHaveLength(1);
  });

  it('goes on when the failure observer itself throws', async () => {
    // Prepare
    await connected('throttled', OWNER);
    await connected('fine', EDITOR);
    const wire = sender({
      failPost: (id) => (id === 'throttled' ? new Error('LimitExceededException') : null),
    }).connect('throttled', 'fine');
    const noisy = new WebSocketBroadcaster(store, wire, clock, {}, () => {
      throw new Error('logger down');
    });

    // Act
    const outcome = await noisy.broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    expect(outcome).toMatchObject({ sent: 1, failed: 1 });
    expect(wire.received('fine')).toHaveLength(1);
  });

  it('counts a gone connection it could not forget as failed, and reports it', async () => {
    // Prepare
    await connected('gone-1', OWNER);
    await connected('live-1', EDITOR);
    const down = new Error('database down');
    store.failOn('remove', down);
    const wire = sender().connect('live-1');

    // Act
    const outcome = await broadcaster(wire).broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    expect(outcome).toMatchObject({ sent: 1, gone: 0, failed: 1 });
    expect(failures).toEqual([{ connectionId: 'gone-1', stage: 'remove', error: down }]);
  });

  it('rejects when the connections cannot be read, having sent nothing', async () => {
    // Prepare
    await connected('a-1', OWNER);
    store.failOn('forProject', new Error('database down'));
    const wire = sender().connect('a-1');

    // Act
    const outcome = broadcaster(wire).broadcast(sampleEnvelopes.taskDeleted());

    // Assess
    await expect(outcome).rejects.toThrow('database down');
    expect(wire.calls).toEqual([]);
  });

  it('does nothing for an event of no project (user.created), without reading the store', async () => {
    // Prepare
    store.failOn('forProject', new Error('must not be called'));

    // Act
    const outcome = await broadcaster(sender()).broadcast(userCreated());

    // Assess
    expect(outcome).toEqual(broadcastOutcome());
  });

  describe('on project.member_removed', () => {
    it('tells the removed member, then ends, closes and forgets their connections only', async () => {
      // Prepare
      await connected('alice-1', OWNER);
      await connected('bob-1', EDITOR);
      await connected('bob-2', EDITOR);
      await connected('bob-elsewhere', EDITOR, { projectId: OTHER_PROJECT_ID });
      const wire = sender().connect('alice-1', 'bob-1', 'bob-2', 'bob-elsewhere');
      const removal = sampleEnvelopes.memberRemoved({ userId: EDITOR });

      // Act
      const outcome = await broadcaster(wire).broadcast(removal);

      // Assess
      expect(outcome).toEqual(broadcastOutcome({ connections: 3, sent: 3, closed: 2 }));
      for (const id of ['bob-1', 'bob-2']) {
        expect(wire.received(id)).toEqual([eventMessage(removal), streamEndMessage('revoked')]);
        const calls = wire.calls.filter((call) => call.connectionId === id).map((c) => c.op);
        expect(calls).toEqual(['post', 'post', 'close']);
        expect(wire.isOpen(id)).toBe(false);
      }
      expect(wire.received('alice-1')).toEqual([eventMessage(removal)]);
      expect(wire.isOpen('alice-1')).toBe(true);
      expect(wire.isOpen('bob-elsewhere')).toBe(true);
      expect(store.all.map((c) => c.connectionId).sort()).toEqual(['alice-1', 'bob-elsewhere']);
    });

    it('also closes a connection the member opened while the event was being sent', async () => {
      // Prepare
      await connected('bob-1', EDITOR);
      let opened = false;
      const wire = sender({
        failPost: () => {
          // A $connect admitted just before the removal committed registers meanwhile.
          if (!opened) {
            opened = true;
            void connected('bob-late', EDITOR);
          }
          return null;
        },
      }).connect('bob-1', 'bob-late');

      // Act
      const outcome = await broadcaster(wire).broadcast(
        sampleEnvelopes.memberRemoved({ userId: EDITOR }),
      );

      // Assess
      expect(outcome).toMatchObject({ connections: 1, sent: 1, closed: 2 });
      expect(wire.isOpen('bob-late')).toBe(false);
      expect(wire.received('bob-late')).toEqual([]);
      expect(store.all).toEqual([]);
    });

    it('closes the member’s connection even when telling them failed', async () => {
      // Prepare
      await connected('bob-1', EDITOR);
      await connected('bob-2', EDITOR);
      const refusal = new Error('PayloadTooLargeException');
      const wire = sender({
        failPost: (id, data) =>
          (id === 'bob-1' && data.includes('member_removed')) ||
          (id === 'bob-2' && data.includes('stream.end'))
            ? refusal
            : null,
      }).connect('bob-1', 'bob-2');

      // Act
      const outcome = await broadcaster(wire).broadcast(
        sampleEnvelopes.memberRemoved({ userId: EDITOR }),
      );

      // Assess
      expect(outcome).toMatchObject({ sent: 1, failed: 1, closed: 2, closeFailed: 0 });
      expect(wire.isOpen('bob-1')).toBe(false);
      expect(wire.isOpen('bob-2')).toBe(false);
      expect(failures.map((f) => [f.connectionId, f.stage])).toEqual([
        ['bob-1', 'post'],
        ['bob-2', 'post'],
      ]);
      expect(store.all).toEqual([]);
    });

    it('forgets a connection it could not close, reports it, and closes the others', async () => {
      // Prepare
      await connected('bob-1', EDITOR);
      await connected('bob-2', EDITOR);
      const refusal = new Error('ForbiddenException');
      const wire = sender({ failClose: (id) => (id === 'bob-1' ? refusal : null) }).connect(
        'bob-1',
        'bob-2',
      );

      // Act
      const outcome = await broadcaster(wire).broadcast(
        sampleEnvelopes.memberRemoved({ userId: EDITOR }),
      );

      // Assess
      expect(outcome).toMatchObject({ sent: 2, closed: 1, closeFailed: 1 });
      expect(failures).toEqual([{ connectionId: 'bob-1', stage: 'close', error: refusal }]);
      expect(wire.isOpen('bob-2')).toBe(false);
      expect(store.all).toEqual([]);
    });

    it('counts the member’s gone connection as gone and forgets it with the others', async () => {
      // Prepare
      await connected('bob-gone', EDITOR);
      await connected('bob-1', EDITOR);
      const wire = sender().connect('bob-1');

      // Act
      const outcome = await broadcaster(wire).broadcast(
        sampleEnvelopes.memberRemoved({ userId: EDITOR }),
      );

      // Assess
      expect(outcome).toMatchObject({ sent: 1, gone: 1, closed: 2 });
      expect(store.all).toEqual([]);
    });

    it('rejects when the member’s connections cannot be forgotten, closing none', async () => {
      // Prepare
      await connected('bob-1', EDITOR);
      store.failOn('removeMember', new Error('database down'));
      const wire = sender().connect('bob-1');

      // Act
      const outcome = broadcaster(wire).broadcast(
        sampleEnvelopes.memberRemoved({ userId: EDITOR }),
      );

      // Assess
      await expect(outcome).rejects.toThrow('database down');
      expect(wire.calls.filter((call) => call.op === 'close')).toEqual([]);
    });
  });

  it.each([
    [{ concurrency: 0 }, /concurrency must be an integer ≥ 1, got 0/],
    [{ concurrency: 2.5 }, /concurrency must be an integer ≥ 1, got 2.5/],
    [{ concurrency: Number.NaN }, /concurrency must be an integer ≥ 1, got NaN/],
    [{ connectingGraceMs: -1 }, /connectingGraceMs must be ≥ 0, got -1/],
    [{ connectingGraceMs: Number.NaN }, /connectingGraceMs must be ≥ 0, got NaN/],
  ])('refuses the options %p', (options, message) => {
    // Act
    const build = () => broadcaster(sender(), options);

    // Assess
    expect(build).toThrow(RangeError);
    expect(build).toThrow(message);
  });
});

describe('WebSocket messages', () => {
  it('carry a domain event as its envelope, named by type and identified by id', () => {
    // Prepare
    const event = sampleEnvelopes.taskDeleted();

    // Act
    const message = JSON.parse(eventMessage(event)) as Record<string, unknown>;

    // Assess
    expect(message).toEqual(event);
    expect(message).toMatchObject({ type: 'task.deleted', id: event.id });
  });

  it('announce the end of a stream with its reason', () => {
    // Act
    const message = JSON.parse(streamEndMessage('revoked')) as unknown;

    // Assess
    expect(message).toEqual({ type: 'stream.end', reason: 'revoked' });
  });
});
