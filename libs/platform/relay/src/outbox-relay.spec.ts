import type { EventPublisher, PublishOutcome } from '@taskflow/platform-ports';
import {
  envelopeJson,
  type EventEnvelope,
  type SerializedEnvelope,
  toEnvelope,
} from '@taskflow/platform-events';
import {
  FixedClock,
  InMemoryOutboxStore,
  ScriptedPublisher,
  SequentialIdGenerator,
} from '@taskflow/platform-testing';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';

const START = new Date('2026-01-01T00:00:00.000Z');

describe('OutboxRelay', () => {
  let clock: FixedClock;
  let store: InMemoryOutboxStore;
  let publisher: ScriptedPublisher;
  const ids = new SequentialIdGenerator();

  const event = (): EventEnvelope => {
    const id = ids.next();
    return toEnvelope(
      {
        type: 'project.created',
        schemaVersion: 1,
        data: { project: { id, name: 'P', createdBy: id, createdAt: clock.now().toISOString() } },
        aggregateId: id,
        aggregateVersion: 1,
        projectId: id,
        actor: id,
        occurredAt: clock.now().toISOString(),
      },
      ids.next(),
      'corr',
    );
  };

  const relay = (options: Partial<OutboxRelayOptions> = {}) =>
    new OutboxRelay(
      store,
      publisher,
      clock,
      { owner: 'relay-a', fastPathGraceMs: 5_000, baseBackoffMs: 1_000, ...options },
      {},
      () => 1,
    );

  beforeEach(() => {
    clock = new FixedClock(START);
    store = new InMemoryOutboxStore(clock);
    publisher = new ScriptedPublisher();
  });

  it('fast path: publishes a committed command’s events together and marks them sent', async () => {
    // Prepare
    const events = [event(), event(), event()];
    store.add(...events);
    const subject = relay();

    // Act
    subject.enqueue(events.slice(0, 2));
    subject.enqueue(events.slice(2));
    await subject.drain();

    // Assess
    expect(publisher.batches).toEqual([events.map((e) => e.id)]);
    expect(store.unpublished).toEqual([]);
  });

  it('fast path: hands the publisher the text the outbox writer stored, not a new serialisation', async () => {
    // Prepare: the writer serialised the envelope when it stored the row.
    const e = event();
    const storedText = envelopeJson(e);
    store.add(e);
    const received: SerializedEnvelope[] = [];
    const recording: EventPublisher = {
      publish: (events): Promise<PublishOutcome> => {
        received.push(...events);
        return Promise.resolve({ published: events.map((x) => x.id), failed: [] });
      },
    };
    const subject = new OutboxRelay(store, recording, clock, { owner: 'a' });

    // Act
    subject.enqueue([e]);
    await subject.drain();

    // Assess
    expect(received).toEqual([
      { id: e.id, type: e.type, occurredAt: e.occurredAt, json: storedText, attempts: 0 },
    ]);
    expect(received[0]?.json).toBe(storedText);
    expect(store.unpublished).toEqual([]);
  });

  it('sweeper leaves young events to the fast path, then publishes what is left after the grace', async () => {
    const young = event();
    store.add(young);
    const subject = relay();

    expect(await subject.sweepOnce()).toEqual({ claimed: 0, published: 0, failed: 0 });
    clock.advance(5_000);
    expect(await subject.sweepOnce()).toEqual({ claimed: 1, published: 1, failed: 0 });
    expect(publisher.delivered).toEqual([young.id]);
  });

  it('sweepWhile drains in rounds while there is time, and says when it ran out', async () => {
    const events = Array.from({ length: 7 }, () => event());
    store.add(...events);
    clock.advance(5_000);
    const lags: number[] = [];
    const subject = new OutboxRelay(
      store,
      publisher,
      clock,
      { owner: 'relay-a', claimLimit: 3 },
      { lag: (ms) => lags.push(ms) },
    );

    // Time for one round only: stops after it, telling that more may be due.
    let budget = 1;
    expect(await subject.sweepWhile(() => budget-- > 0)).toEqual({
      claimed: 3,
      published: 3,
      failed: 0,
      rounds: 1,
      outOfTime: true,
    });
    expect(await subject.measureLag()).toBe(5_000);

    // Enough time: rounds of 3, 1, then stops on the short round.
    expect(await subject.sweepWhile(() => true)).toEqual({
      claimed: 4,
      published: 4,
      failed: 0,
      rounds: 2,
      outOfTime: false,
    });
    expect(await subject.measureLag()).toBe(0);
    expect(lags).toEqual([5_000, 0]);
    expect(publisher.delivered).toEqual(events.map((e) => e.id));
  });

  it('sweepWhile claims nothing when there is no time to start', async () => {
    // Prepare
    store.add(event());
    clock.advance(5_000);

    // Act
    const result = await relay().sweepWhile(() => false);

    // Assess
    expect(result).toEqual({ claimed: 0, published: 0, failed: 0, rounds: 0, outOfTime: true });
    expect(publisher.batches).toEqual([]);
  });

  it.each([
    ['sweepWhile', (r: OutboxRelay) => r.sweepWhile(() => true)],
    ['sweepUntilIdle', (r: OutboxRelay) => r.sweepUntilIdle()],
  ])(
    '%s overlaps rounds: claims the next batch during a publish, records during the next',
    async (_name, sweep) => {
      // Prepare: a store and a publisher that log when each operation starts and ends.
      const log: string[] = [];
      const names = (ids: readonly string[]): string => ids.map((id) => id.slice(-2)).join(',');
      const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
      class LoggingStore extends InMemoryOutboxStore {
        override async claimDue(options: Parameters<InMemoryOutboxStore['claimDue']>[0]) {
          log.push('claim');
          return super.claimDue(options);
        }
        override async markPublished(ids: readonly string[]): Promise<void> {
          log.push(`mark ${names(ids)}`);
          await tick();
          await tick();
          await super.markPublished(ids);
          log.push(`marked ${names(ids)}`);
        }
      }
      const logged = new LoggingStore(clock);
      const events = Array.from({ length: 5 }, event);
      logged.add(...events);
      clock.advance(5_000);
      const slow: EventPublisher = {
        publish: async (batch): Promise<PublishOutcome> => {
          const ids = batch.map((e) => e.id);
          log.push(`publish ${names(ids)}`);
          await tick();
          log.push(`published ${names(ids)}`);
          return { published: ids, failed: [] };
        },
      };
      const subject = new OutboxRelay(logged, slow, clock, { owner: 'a', claimLimit: 2 });
      const [a, b, c, d] = events.map((e) => names([e.id]));

      // Act
      const result = await sweep(subject);

      // Assess
      expect(result).toMatchObject({ claimed: 5, published: 5, failed: 0 });
      expect(logged.unpublished).toEqual([]);
      const at = (entry: string): number => log.indexOf(entry);
      // The second claim goes out before the first batch is published...
      expect(log.slice(0, 3)).toEqual(['claim', 'claim', `publish ${a},${b}`]);
      // ...and the first batch is marked while the second one is being published.
      expect(at(`publish ${c},${d}`)).toBeGreaterThan(at(`mark ${a},${b}`));
      expect(at(`publish ${c},${d}`)).toBeLessThan(at(`marked ${a},${b}`));
      // Calls still go out one batch after another.
      expect(at(`publish ${c},${d}`)).toBeGreaterThan(at(`published ${a},${b}`));
    },
  );

  it('retries only failed events, with exponential backoff, until they are published', async () => {
    const events = [event(), event(), event()];
    store.add(...events);
    clock.advance(5_000);
    const flaky = new Set([events[1]?.id]);
    publisher.failWith = (e) =>
      flaky.has(e.id) ? { reason: 'ThrottlingException', retryable: true } : null;
    const subject = relay();

    await subject.sweepOnce();
    expect(store.stateOf(events[1]?.id ?? '')).toMatchObject({
      attempts: 1,
      lastError: 'ThrottlingException',
    });
    // Backoff 1 s (random() = 1 → the whole first window): not due before that.
    clock.advance(999);
    expect((await subject.sweepOnce()).claimed).toBe(0);
    clock.advance(1);
    await subject.sweepOnce();
    expect(store.stateOf(events[1]?.id ?? '')).toMatchObject({ attempts: 2 });
    // Second failure doubles the window to 2 s.
    clock.advance(1_999);
    expect((await subject.sweepOnce()).claimed).toBe(0);
    flaky.clear();
    clock.advance(1);
    await subject.sweepOnce();

    expect(store.unpublished).toEqual([]);
    expect(publisher.delivered.sort()).toEqual(events.map((e) => e.id).sort());
  });

  it('sets aside an event that can never be published, and keeps publishing the rest', async () => {
    const poison = event();
    const fine = event();
    store.add(poison, fine);
    clock.advance(5_000);
    publisher.failWith = (e) =>
      e.id === poison.id ? { reason: 'entry larger than 256 KB', retryable: false } : null;
    const subject = relay();

    await subject.sweepUntilIdle();
    clock.advance(60 * 60_000);
    await subject.sweepUntilIdle();

    expect(publisher.batches.flat().filter((id) => id === poison.id)).toHaveLength(1);
    expect(store.stateOf(poison.id)).toMatchObject({
      abandoned: true,
      lastError: 'entry larger than 256 KB',
    });
    expect(publisher.delivered).toEqual([fine.id]);
  });

  it('when the bus is unreachable, the fast path marks nothing and the sweeper delivers later', async () => {
    const e = event();
    store.add(e);
    publisher.throwError = new Error('connect ECONNREFUSED');
    const errors: unknown[] = [];
    const subject = new OutboxRelay(
      store,
      publisher,
      clock,
      { owner: 'a' },
      { error: (err) => errors.push(err) },
    );

    subject.enqueue([e]);
    await subject.drain();
    expect(store.unpublished).toEqual([e.id]);
    expect(errors).toHaveLength(1);

    publisher.throwError = null;
    clock.advance(5_000);
    await subject.sweepOnce();
    expect(store.unpublished).toEqual([]);
  });

  it('two relays sweeping at once never claim the same event while a lease is live', async () => {
    const events = Array.from({ length: 10 }, event);
    store.add(...events);
    clock.advance(5_000);
    const slow = new ScriptedPublisher();
    const a = new OutboxRelay(store, slow, clock, { owner: 'a', claimLimit: 6 });
    const b = new OutboxRelay(store, slow, clock, { owner: 'b', claimLimit: 6 });

    await Promise.all([a.sweepOnce(), b.sweepOnce()]);

    expect(slow.delivered.sort()).toEqual(events.map((e) => e.id).sort());
    expect(new Set(slow.delivered).size).toBe(slow.delivered.length);
  });

  it('a crashed relay’s lease expires and another relay publishes its events', async () => {
    const e = event();
    store.add(e);
    clock.advance(5_000);
    // The crashed relay claimed and then died before publishing.
    await store.claimDue({ limit: 10, leaseMs: 30_000, owner: 'dead', minAgeMs: 0 });
    const survivor = relay();

    expect((await survivor.sweepOnce()).claimed).toBe(0);
    clock.advance(30_001);
    expect((await survivor.sweepOnce()).published).toBe(1);
  });
});
