import { randomUUID } from 'node:crypto';
import { type EventEnvelope, toEnvelope } from '@taskflow/platform-events';
import {
  WEBSOCKET_MAX_CONNECTION_MS,
  WebSocketBroadcaster,
  type WebSocketConnection,
} from '@taskflow/platform-live-updates';
import { FixedClock, RecordingConnectionSender } from '@taskflow/platform-testing';
import { count, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';
import { MAX_CONNECTION_PURGE } from './pg-connection.store';

const T0 = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 3_600_000;
const EAST = 'us-east-1';
const WEST = 'us-west-2';

describe('PgConnectionStore', () => {
  const store = useTestDatabase('pp_ws_connections', openPlatformStores);

  /** A connection as API Gateway names them (base64, not a UUID), opened `minutesAgo` before T0. */
  function connection(projectId: string, userId: string, minutesAgo = 10): WebSocketConnection {
    const connectedAt = new Date(T0.getTime() - minutesAgo * 60_000);
    return {
      connectionId: `${randomUUID().slice(0, 15)}=`,
      projectId,
      userId,
      connectedAt,
      expiresAt: new Date(connectedAt.getTime() + WEBSOCKET_MAX_CONNECTION_MS),
    };
  }

  const rows = (projectId: string): Promise<number> =>
    count(store.db, 'SELECT count(*) AS n FROM ws_connections WHERE project_id = $1', [projectId]);

  it('registers connections and lists those of one project, oldest first', async () => {
    // Prepare
    const [project, other, alice, bob] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const newer = connection(project, alice, 5);
    const older = connection(project, bob, 50);
    const elsewhere = connection(other, alice);

    // Act
    for (const c of [newer, older, elsewhere]) await store.connections.add(c);
    const listed = await store.connections.forProject(project, T0);

    // Assess
    expect(listed).toEqual([older, newer]);
    expect(await store.connections.forProject(other, T0)).toEqual([elsewhere]);
    expect(await store.connections.forProject(randomUUID(), T0)).toEqual([]);
  });

  it('replaces a connection registered again under the same id', async () => {
    // Prepare
    const project = randomUUID();
    const first = connection(project, randomUUID(), 30);
    const again = { ...connection(project, randomUUID(), 1), connectionId: first.connectionId };

    // Act
    await store.connections.add(first);
    await store.connections.add(again);

    // Assess
    expect(await store.connections.forProject(project, T0)).toEqual([again]);
    expect(await rows(project)).toBe(1);
  });

  it('leaves out connections that have expired', async () => {
    // Prepare
    const project = randomUUID();
    const live = connection(project, randomUUID(), 60);
    const stale = connection(project, randomUUID(), 3 * 60);
    await store.connections.add(live);
    await store.connections.add(stale);

    // Act
    const listed = await store.connections.forProject(project, T0);
    const atItsExpiry = await store.connections.forProject(project, live.expiresAt);

    // Assess
    expect(listed).toEqual([live]);
    expect(atItsExpiry).toEqual([]);
  });

  it('removes one connection, and tells whether it was registered', async () => {
    // Prepare
    const project = randomUUID();
    const kept = connection(project, randomUUID());
    const removed = connection(project, randomUUID());
    await store.connections.add(kept);
    await store.connections.add(removed);

    // Act
    const first = await store.connections.remove(removed.connectionId);
    const second = await store.connections.remove(removed.connectionId);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await store.connections.forProject(project, T0)).toEqual([kept]);
  });

  it('removes every connection of one member of one project and answers their ids', async () => {
    // Prepare
    const [project, other, alice, bob] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const bobs = [connection(project, bob), connection(project, bob, 3 * 60)];
    const alices = connection(project, alice);
    const bobElsewhere = connection(other, bob);
    for (const c of [...bobs, alices, bobElsewhere]) await store.connections.add(c);

    // Act
    const removed = await store.connections.removeMember(project, bob);
    const again = await store.connections.removeMember(project, bob);

    // Assess
    expect(removed).toEqual(bobs.map((c) => c.connectionId).sort());
    expect(again).toEqual([]);
    expect(await store.connections.forProject(project, T0)).toEqual([alices]);
    expect(await store.connections.forProject(other, T0)).toEqual([bobElsewhere]);
  });

  it('purges expired connections, oldest first, at most `limit` at a time', async () => {
    // Prepare: purging is table-wide, so start from an empty table
    await store.db.query({ text: 'DELETE FROM ws_connections', values: [] });
    const project = randomUUID();
    const live = connection(project, randomUUID(), 60);
    const expired = [5, 4, 3].map((hours) => connection(project, randomUUID(), hours * 60));
    for (const c of [live, ...expired]) await store.connections.add(c);
    const now = new Date(T0.getTime() + HOUR / 2);

    // Act
    const first = await store.connections.purgeExpired(now, 2);
    const afterFirst = await count(
      store.db,
      'SELECT count(*) AS n FROM ws_connections WHERE connection_id = $1',
      [expired[2]?.connectionId],
    );
    const second = await store.connections.purgeExpired(now, 2);
    const third = await store.connections.purgeExpired(now, 2);

    // Assess
    expect([first, second, third]).toEqual([2, 1, 0]);
    expect(afterFirst).toBe(1); // the youngest expired one was left for the next round
    expect(await rows(project)).toBe(1);
    expect(await store.connections.forProject(project, now)).toEqual([live]);
  });

  it.each([0, -1, 1.5, Number.NaN, MAX_CONNECTION_PURGE + 1])(
    'refuses to purge with limit %p',
    async (limit) => {
      // Act
      const outcome = store.connections.purgeExpired(T0, limit);

      // Assess
      await expect(outcome).rejects.toThrow(
        new RangeError(
          `limit must be an integer within 1..${MAX_CONNECTION_PURGE}, got ${String(limit)}`,
        ),
      );
    },
  );

  it('works inside a transaction and keeps nothing of one that rolls back', async () => {
    // Prepare
    const project = randomUUID();
    const c = connection(project, randomUUID());

    // Act
    const outcome = store.db.run(async () => {
      await store.connections.add(c);
      expect(await store.connections.removeMember(project, c.userId)).toEqual([c.connectionId]);
      await store.connections.add(c);
      throw new Error('rolled back');
    });

    // Assess
    await expect(outcome).rejects.toThrow('rolled back');
    expect(await rows(project)).toBe(0);
  });

  it('refuses a connection whose project id is not a UUID (the column type guards it)', async () => {
    // Act
    const outcome = store.connections.add({
      ...connection(randomUUID(), randomUUID()),
      projectId: 'p-1',
    });

    // Assess
    await expect(outcome).rejects.toThrow(/invalid input syntax for type uuid/);
  });
  describe('seen from one region (two regions share the table)', () => {
    const regionOf = async (connectionId: string): Promise<string | null> => {
      const { rows } = await store.db.query<{ region: string | null }>({
        text: 'SELECT region FROM ws_connections WHERE connection_id = $1',
        values: [connectionId],
      });
      return rows[0]?.region ?? null;
    };

    /** One connection registered by each region's view, and one without a region (a legacy row). */
    async function threeConnections(project: string, userId = randomUUID()) {
      const east = connection(project, userId, 30);
      const west = connection(project, userId, 20);
      const legacy = connection(project, userId, 10);
      await store.connections.inRegion(EAST).add(east);
      await store.connections.inRegion(WEST).add(west);
      await store.connections.add(legacy);
      return { east, west, legacy };
    }

    it('records the region of the view that added a connection, and none for the agnostic store', async () => {
      // Act
      const { east, west, legacy } = await threeConnections(randomUUID());

      // Assess
      expect(await regionOf(east.connectionId)).toBe(EAST);
      expect(await regionOf(west.connectionId)).toBe(WEST);
      expect(await regionOf(legacy.connectionId)).toBeNull();
      expect(store.connections.inRegion(EAST).region).toBe(EAST);
      expect(store.connections.region).toBeNull();
    });

    it("lists to each region its own connections and those without a region, never the other's", async () => {
      // Prepare
      const project = randomUUID();
      const { east, west, legacy } = await threeConnections(project);

      // Act
      const seenFromEast = await store.connections.inRegion(EAST).forProject(project, T0);
      const seenFromWest = await store.connections.inRegion(WEST).forProject(project, T0);
      const seenByAll = await store.connections.forProject(project, T0);

      // Assess
      expect(seenFromEast).toEqual([east, legacy]);
      expect(seenFromWest).toEqual([west, legacy]);
      expect(seenByAll).toEqual([east, west, legacy]);
    });

    it("forgets by id only its own region's connections; the agnostic store forgets any", async () => {
      // Prepare
      const project = randomUUID();
      const { east, west, legacy } = await threeConnections(project);
      const fromEast = store.connections.inRegion(EAST);

      // Act
      const removed = [
        await fromEast.remove(west.connectionId),
        await fromEast.remove(legacy.connectionId),
        await fromEast.remove(east.connectionId),
      ];

      // Assess
      expect(removed).toEqual([false, false, true]);
      expect(await store.connections.forProject(project, T0)).toEqual([west, legacy]);
      expect(await store.connections.remove(west.connectionId)).toBe(true);
      expect(await store.connections.remove(legacy.connectionId)).toBe(true);
      expect(await rows(project)).toBe(0);
    });

    it("forgets a removed member's connections of its region and those without one, not the other's", async () => {
      // Prepare
      const [project, bob] = [randomUUID(), randomUUID()];
      const { east, west, legacy } = await threeConnections(project, bob);

      // Act
      const forgotten = await store.connections.inRegion(EAST).removeMember(project, bob);

      // Assess
      expect(forgotten).toEqual([east.connectionId, legacy.connectionId].sort());
      expect(await store.connections.forProject(project, T0)).toEqual([west]);
    });

    it('moves a connection registered again from the other region to that region', async () => {
      // Prepare
      const project = randomUUID();
      const c = connection(project, randomUUID());
      await store.connections.inRegion(EAST).add(c);

      // Act
      await store.connections.inRegion(WEST).add(c);

      // Assess
      expect(await regionOf(c.connectionId)).toBe(WEST);
      expect(await store.connections.inRegion(EAST).forProject(project, T0)).toEqual([]);
    });

    it('purges expired connections of every region', async () => {
      // Prepare: purging is table-wide, so start from an empty table
      await store.db.query({ text: 'DELETE FROM ws_connections', values: [] });
      const project = randomUUID();
      await threeConnections(project);
      const later = new Date(T0.getTime() + 3 * HOUR);

      // Act
      const purged = await store.connections.inRegion(EAST).purgeExpired(later, 10);

      // Assess
      expect(purged).toBe(3);
      expect(await rows(project)).toBe(0);
    });

    it.each(['', '  '])('refuses a blank region %p', (region) => {
      expect(() => store.connections.inRegion(region)).toThrow(
        new RangeError('region must not be empty'),
      );
    });

    describe("a region's broadcaster", () => {
      const taskDeleted = (projectId: string): EventEnvelope =>
        toEnvelope(
          {
            type: 'task.deleted',
            schemaVersion: 1,
            data: { deletedAt: T0.toISOString() },
            aggregateId: randomUUID(),
            aggregateVersion: 2,
            projectId,
            actor: null,
            occurredAt: T0.toISOString(),
          },
          randomUUID(),
          null,
        );

      /** East's broadcaster: its sender reaches only East's API, where `open` are connected. */
      function eastBroadcaster(...open: WebSocketConnection[]) {
        const sender = new RecordingConnectionSender().connect(...open.map((c) => c.connectionId));
        const broadcaster = new WebSocketBroadcaster(
          store.connections.inRegion(EAST),
          sender,
          new FixedClock(T0.toISOString()),
        );
        return { sender, broadcaster };
      }
      const postedTo = (sender: RecordingConnectionSender): string[] =>
        sender.calls.map((call) => call.connectionId).sort();

      it("never sends to nor forgets the other region's connections, open or not", async () => {
        // Prepare: West's connection is open, but only at West's API, which East cannot reach
        const project = randomUUID();
        const east = connection(project, randomUUID(), 20);
        const west = connection(project, randomUUID(), 10);
        await store.connections.inRegion(EAST).add(east);
        await store.connections.inRegion(WEST).add(west);
        const { sender, broadcaster } = eastBroadcaster(east);

        // Act
        const outcome = await broadcaster.broadcast(taskDeleted(project));

        // Assess
        expect(outcome).toMatchObject({ connections: 1, sent: 1, gone: 0 });
        expect(postedTo(sender)).toEqual([east.connectionId]);
        expect(await store.connections.forProject(project, T0)).toEqual([east, west]);
      });

      it('still forgets a connection of its own region that is gone', async () => {
        // Prepare
        const project = randomUUID();
        const live = connection(project, randomUUID());
        const gone = connection(project, randomUUID());
        for (const c of [live, gone]) await store.connections.inRegion(EAST).add(c);
        const { sender, broadcaster } = eastBroadcaster(live);

        // Act
        const outcome = await broadcaster.broadcast(taskDeleted(project));

        // Assess
        expect(outcome).toMatchObject({ connections: 2, sent: 1, gone: 1 });
        expect(postedTo(sender)).toEqual([live.connectionId, gone.connectionId].sort());
        expect(await store.connections.forProject(project, T0)).toEqual([live]);
      });

      it('sends to connections without a region, and leaves one that is gone to expire', async () => {
        // Prepare: two rows from before the upgrade; one of them is East's and open
        const project = randomUUID();
        const legacyEast = connection(project, randomUUID(), 40);
        const legacyElsewhere = connection(project, randomUUID(), 20);
        for (const c of [legacyEast, legacyElsewhere]) await store.connections.add(c);
        const { sender, broadcaster } = eastBroadcaster(legacyEast);

        // Act
        const outcome = await broadcaster.broadcast(taskDeleted(project));

        // Assess: Gone from East's API is no proof West's connection closed; expiry purges it
        expect(outcome).toMatchObject({ connections: 2, sent: 1 });
        expect(sender.received(legacyEast.connectionId)).toHaveLength(1);
        expect(await store.connections.forProject(project, T0)).toEqual([
          legacyEast,
          legacyElsewhere,
        ]);
      });
    });
  });
});
