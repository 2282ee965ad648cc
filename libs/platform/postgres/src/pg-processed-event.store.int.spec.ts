import { randomUUID } from 'node:crypto';
import { count, deferred, eventually, sessionsWaitingForLocks, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';

const T0 = new Date('2030-06-01T12:00:00.000Z');

describe('PgProcessedEventStore', () => {
  const store = useTestDatabase('pp_processed_events', openPlatformStores);

  const rows = (eventId: string): Promise<number> =>
    count(store.db, 'SELECT count(*) AS n FROM processed_events WHERE event_id = $1', [eventId]);

  it('claims a new event id, then answers the recorded outcome to every later claim', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const first = await store.db.run(async () => {
      const claim = await store.processedEvents.claim(eventId, T0);
      await store.processedEvents.complete(eventId, { taskId: 't-1', version: 1 }, T0);
      return claim;
    });
    const again = await store.db.run(() => store.processedEvents.claim(eventId, T0));

    // Assess
    expect(first).toBeNull();
    expect(again).toEqual({
      eventId,
      processedAt: T0.toISOString(),
      outcome: { taskId: 't-1', version: 1 },
    });
    expect(await rows(eventId)).toBe(1);
  });

  it('keeps nothing of a claim whose transaction rolled back', async () => {
    // Prepare
    const eventId = randomUUID();

    // Act
    const outcome = store.db.run(async () => {
      await store.processedEvents.claim(eventId, T0);
      throw new Error('the command failed');
    });

    // Assess
    await expect(outcome).rejects.toThrow('the command failed');
    expect(await store.processedEvents.find(eventId)).toBeNull();
  });

  it.each([
    { ending: 'commits', duplicate: true },
    { ending: 'rolls back', duplicate: false },
  ])(
    'makes a concurrent claim wait for the first transaction, which $ending',
    async ({ ending, duplicate }) => {
      // Prepare
      const eventId = randomUUID();
      const claimed = deferred<null>();
      const release = deferred<null>();
      const holder = store.db.run(async () => {
        await store.processedEvents.claim(eventId, T0);
        await store.processedEvents.complete(eventId, { by: 'first' }, T0);
        claimed.resolve(null);
        await release.promise;
        if (ending === 'rolls back') throw new Error('first failed');
      });
      await claimed.promise;

      // Act
      const second = store.db.run(async () => {
        const claim = await store.processedEvents.claim(eventId, T0);
        if (claim === null) await store.processedEvents.complete(eventId, { by: 'second' }, T0);
        return claim;
      });
      await eventually(
        async () => (await sessionsWaitingForLocks(store.db)) > 0,
        5_000,
        'a waiter',
      );
      release.resolve(null);
      await holder.catch(() => undefined);
      const claim = await second;

      // Assess
      if (duplicate) expect(claim).toMatchObject({ eventId, outcome: { by: 'first' } });
      else expect(claim).toBeNull();
      expect(await store.processedEvents.find(eventId)).toMatchObject({
        outcome: { by: duplicate ? 'first' : 'second' },
      });
    },
  );

  it('refuses to complete an event this transaction never claimed', async () => {
    // Act
    const outcome = store.db.run(() => store.processedEvents.complete(randomUUID(), {}, T0));

    // Assess
    await expect(outcome).rejects.toThrow(/was not claimed/);
  });
});
