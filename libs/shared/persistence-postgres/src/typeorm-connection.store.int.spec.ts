import { randomUUID } from 'node:crypto';
import { WEBSOCKET_MAX_CONNECTION_MS, type WebSocketConnection } from '@taskflow/live-updates';
import { type TestDatabase, createTestDatabase } from '@taskflow/testing';
import type { Persistence } from './persistence';
import { count, openMigrated } from './testing/persistence-fixture';
import { MAX_CONNECTION_PURGE } from './typeorm-connection.store';

const T0 = new Date('2030-06-01T12:00:00.000Z');
const HOUR = 3_600_000;

describe('TypeormConnectionStore', () => {
  let database: TestDatabase;
  let store: Persistence;

  beforeAll(async () => {
    database = await createTestDatabase('pp_ws_connections');
    store = await openMigrated(database.url);
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

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
});
