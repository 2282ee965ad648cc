import type { IdempotencyRecord } from '@taskflow/platform-ports';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import {
  count,
  deferred,
  eventually,
  sessionsWaitingForLocks,
  token,
  useTestDatabase,
} from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';

// Every record here is created in 2030 or later, except the purge test's, which are older than 2001.
const T0 = new Date('2030-06-01T12:00:00.000Z');
const hoursAfter = (at: Date, hours: number): Date => new Date(at.getTime() + hours * 3_600_000);

function record(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    actorId: uuidV7Generator.next(),
    key: `key-${token()}`,
    requestHash: `hash-${token()}`,
    response: {
      status: 201,
      headers: { location: '/tasks/1', 'content-type': 'application/json' },
      body: { id: 1, ok: true },
    },
    createdAt: T0.toISOString(),
    ...overrides,
  };
}

/** A new record of `first`'s actor and key, created at `at`. */
function sameKeyAs(
  first: IdempotencyRecord,
  at: Date,
  overrides: Partial<IdempotencyRecord> = {},
): IdempotencyRecord {
  return record({
    actorId: first.actorId,
    key: first.key,
    createdAt: at.toISOString(),
    ...overrides,
  });
}

describe('PgIdempotencyStore', () => {
  const store = useTestDatabase('pp_idempotency', openPlatformStores);

  /** Puts a new record (as of a day before T0, so live) and answers it. */
  async function putRecord(): Promise<IdempotencyRecord> {
    const first = record();
    await store.idempotency.put(first, hoursAfter(T0, -24));
    return first;
  }

  it('finds a record it was given, as it was', async () => {
    // Prepare
    const stored = record();

    // Act
    const put = await store.idempotency.put(stored, hoursAfter(T0, -24));
    const found = await store.idempotency.find(stored.actorId, stored.key, hoursAfter(T0, -24));

    // Assess
    expect(put).toBe(true);
    expect(found).toEqual(stored);
  });

  it.each([
    ['a response without a body', { status: 204, headers: {} }],
    [
      'a problem response',
      {
        status: 409,
        headers: { 'content-type': 'application/problem+json' },
        body: { code: 'X', detail: 'ü' },
      },
    ],
  ])('keeps %s', async (_what, response) => {
    // Prepare
    const stored = record({ response });

    // Act
    await store.idempotency.put(stored, hoursAfter(T0, -24));
    const found = await store.idempotency.find(stored.actorId, stored.key, hoursAfter(T0, -24));

    // Assess
    expect(found?.response).toEqual(response);
  });

  it('refuses a second put of a live key, changing nothing', async () => {
    // Prepare
    const first = await putRecord();
    const secondAt = hoursAfter(T0, 1);
    const second = sameKeyAs(first, secondAt);

    // Act
    const put = await store.idempotency.put(second, hoursAfter(secondAt, -24));

    // Assess
    expect(put).toBe(false);
    expect(await store.idempotency.find(first.actorId, first.key, hoursAfter(T0, -24))).toEqual(
      first,
    );
  });

  it('treats a record created exactly at notBefore as live', async () => {
    // Prepare
    const first = await putRecord();
    const second = sameKeyAs(first, hoursAfter(T0, 24));

    // Act
    const put = await store.idempotency.put(second, T0);
    const found = await store.idempotency.find(first.actorId, first.key, T0);

    // Assess
    expect(put).toBe(false);
    expect(found).toEqual(first);
  });

  it('takes over an expired record', async () => {
    // Prepare
    const expired = await putRecord();
    const later = hoursAfter(T0, 25);
    const fresh = sameKeyAs(expired, later, { response: { status: 200, headers: {} } });

    // Act
    const put = await store.idempotency.put(fresh, hoursAfter(later, -24));

    // Assess
    expect(put).toBe(true);
    expect(
      await store.idempotency.find(expired.actorId, expired.key, hoursAfter(later, -24)),
    ).toEqual(fresh);
    expect(
      await count(store.db, 'SELECT count(*) AS n FROM idempotency_keys WHERE actor_id = $1', [
        expired.actorId,
      ]),
    ).toBe(1);
  });

  it('does not find an expired record', async () => {
    // Prepare
    const stored = await putRecord();

    // Act
    const found = await store.idempotency.find(stored.actorId, stored.key, hoursAfter(T0, 1));

    // Assess
    expect(found).toBeNull();
  });

  it.each([
    [
      'the same key of another actor',
      (r: IdempotencyRecord) => ({ actorId: uuidV7Generator.next(), key: r.key }),
    ],
    [
      'another key of the same actor',
      (r: IdempotencyRecord) => ({ actorId: r.actorId, key: `${r.key}-other` }),
    ],
  ])('keeps records apart: %s is a new record', async (_what, vary) => {
    // Prepare
    const first = await putRecord();
    const second = record(vary(first));

    // Act
    const put = await store.idempotency.put(second, hoursAfter(T0, -24));

    // Assess
    expect(put).toBe(true);
    expect(await store.idempotency.find(first.actorId, first.key, hoursAfter(T0, -24))).toEqual(
      first,
    );
    expect(await store.idempotency.find(second.actorId, second.key, hoursAfter(T0, -24))).toEqual(
      second,
    );
  });

  it('purges only records older than notBefore, telling how many', async () => {
    // Prepare
    const cutoff = new Date('2000-01-01T00:00:00.000Z');
    const old = [
      record({ createdAt: '1999-12-30T00:00:00.000Z' }),
      record({ createdAt: '1999-12-31T23:59:59.999Z' }),
    ];
    const young = [
      record({ createdAt: cutoff.toISOString() }),
      record({ createdAt: '2000-01-02T00:00:00.000Z' }),
    ];
    for (const r of [...old, ...young])
      await store.idempotency.put(r, new Date('1990-01-01T00:00:00Z'));
    const totalBefore = await count(store.db, 'SELECT count(*) AS n FROM idempotency_keys');

    // Act
    const purged = await store.idempotency.purgeExpired(cutoff);

    // Assess
    expect(purged).toBe(2);
    expect(await count(store.db, 'SELECT count(*) AS n FROM idempotency_keys')).toBe(
      totalBefore - 2,
    );
    for (const r of old)
      expect(await store.idempotency.find(r.actorId, r.key, new Date(0))).toBeNull();
    for (const r of young)
      expect(await store.idempotency.find(r.actorId, r.key, new Date(0))).toEqual(r);
  });

  it('forgets a put made in a transaction that rolls back', async () => {
    // Prepare
    const stored = record();

    // Act
    const attempt = store.db.run(async () => {
      await store.idempotency.put(stored, hoursAfter(T0, -24));
      throw new Error('handler failed');
    });

    // Assess
    await expect(attempt).rejects.toThrow('handler failed');
    expect(
      await store.idempotency.find(stored.actorId, stored.key, hoursAfter(T0, -24)),
    ).toBeNull();
  });

  describe('two transactions putting the same key', () => {
    it('lets the first win; the second waits for its commit and then sees false', async () => {
      // Prepare
      const first = record();
      const second = sameKeyAs(first, T0, { requestHash: 'second' });
      const notBefore = hoursAfter(T0, -24);
      const firstPut = deferred<boolean>();
      const commitFirst = deferred<undefined>();
      const winner = store.db.run(async () => {
        firstPut.resolve(await store.idempotency.put(first, notBefore));
        await commitFirst.promise;
      });
      expect(await firstPut.promise).toBe(true);

      // Act
      const loser = store.db.run(() => store.idempotency.put(second, notBefore));
      await eventually(
        async () => (await sessionsWaitingForLocks(store.db)) > 0,
        5_000,
        'the second put to wait',
      );
      commitFirst.resolve(undefined);
      await winner;

      // Assess
      expect(await loser).toBe(false);
      expect(await store.idempotency.find(first.actorId, first.key, notBefore)).toEqual(first);
    });

    it('stores exactly one of several racing puts', async () => {
      // Prepare
      const base = record();
      const contenders = Array.from({ length: 6 }, (_, i) => ({
        ...base,
        requestHash: `contender-${i}`,
      }));
      const notBefore = hoursAfter(T0, -24);

      // Act
      const outcomes = await Promise.all(
        contenders.map((r) => store.db.run(() => store.idempotency.put(r, notBefore))),
      );

      // Assess
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const winner = contenders[outcomes.indexOf(true)];
      expect(await store.idempotency.find(base.actorId, base.key, notBefore)).toEqual(winner);
    });
  });
});
