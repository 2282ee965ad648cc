import { type PendingEvent } from '@taskflow/platform-events';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { createTestDatabase } from '@taskflow/platform-testing';
import { Database } from './database';
import { deferred, testDatabaseConfig, useTestDatabase } from './testing';
import { type PlatformStores, openPlatformStores } from './testing/platform-stores.fixture';
import { WriteBatch, appendOutbox } from './write-batch';

const TXID = { text: 'SELECT txid_current()::text AS txid', values: [] } as const;

describe('Database', () => {
  const store = useTestDatabase('pp_database', openPlatformStores);

  async function txid(db: Database): Promise<string> {
    const { rows } = await db.query<{ txid: string }>(TXID);
    return rows[0]?.txid ?? '';
  }

  /** Writes one event of aggregate `id` (its outbox row and its pending row), as a repository does. */
  async function write(id: string): Promise<void> {
    const event: PendingEvent = {
      type: 'task.deleted',
      schemaVersion: 1,
      data: { deletedAt: new Date().toISOString() },
      aggregateId: id,
      aggregateVersion: 2,
      projectId: null,
      actor: null,
      occurredAt: new Date().toISOString(),
    };
    const batch = new WriteBatch();
    appendOutbox(batch, [event], { correlationId: null }, uuidV7Generator);
    await store.db.query(batch.toStatement());
  }

  /** Rows naming aggregate `id` (outbox and pending rows), read on a connection of its own. */
  async function traces(id: string): Promise<number> {
    const { rows } = await store.db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM outbox WHERE aggregate_id = $1)
            + (SELECT count(*) FROM outbox_pending p JOIN outbox o ON o.id = p.id WHERE o.aggregate_id = $1) AS n`,
      [id],
    );
    return rows[0]?.n ?? -1;
  }

  describe('run', () => {
    it('runs at READ COMMITTED even where the database defaults to REPEATABLE READ', async () => {
      // Prepare
      const strict = await createTestDatabase('pp_database_rr');
      const admin = await Database.connect(testDatabaseConfig(strict.url));
      await admin.query({
        text: `ALTER DATABASE "${new URL(strict.url).pathname.slice(1)}" SET default_transaction_isolation = 'repeatable read'`,
        values: [],
      });
      await admin.close();
      const db = await Database.connect(testDatabaseConfig(strict.url));
      try {
        // Act
        const level = await db.run(async () => {
          const { rows } = await db.query<{ level: string }>({
            text: 'SELECT current_setting($1) AS level',
            values: ['transaction_isolation'],
          });
          return rows[0]?.level;
        });

        // Assess
        expect(level).toBe('read committed');
      } finally {
        await db.close();
        await strict.drop();
      }
    });

    it('returns what the work returns, committed', async () => {
      // Prepare
      const id = uuidV7Generator.next();

      // Act
      const result = await store.db.run(async () => {
        await write(id);
        return 42;
      });

      // Assess
      expect(result).toBe(42);
      expect(await traces(id)).toBe(2);
    });

    it('lets a nested run join the outer transaction, so an outer failure undoes the inner writes', async () => {
      // Prepare
      const id = uuidV7Generator.next();
      const ids: string[] = [];

      // Act
      const attempt = store.db.run(async () => {
        ids.push(await txid(store.db));
        await store.db.run(async () => {
          ids.push(await txid(store.db));
          await write(id);
        });
        ids.push(await txid(store.db));
        throw new Error('outer fails after the inner run returned');
      });

      // Assess
      await expect(attempt).rejects.toThrow('outer fails');
      expect(new Set(ids).size).toBe(1);
      expect(await traces(id)).toBe(0);
    });

    it('keeps writes invisible to other sessions until the outer run commits', async () => {
      // Prepare
      const id = uuidV7Generator.next();
      const written = deferred<undefined>();
      const commit = deferred<undefined>();

      // Act
      const outer = store.db.run(async () => {
        await store.db.run(() => write(id));
        written.resolve(undefined);
        await commit.promise;
      });
      await written.promise;
      const whileOpen = await traces(id);
      commit.resolve(undefined);
      await outer;

      // Assess
      expect(whileOpen).toBe(0);
      expect(await traces(id)).toBe(2);
    });

    it('gives concurrent runs separate transactions: one rolling back keeps the other', async () => {
      // Prepare
      const kept = uuidV7Generator.next();
      const lost = uuidV7Generator.next();
      const bothWritten = [deferred<undefined>(), deferred<undefined>()] as const;
      const txids: string[] = [];

      // Act
      const outcomes = await Promise.allSettled([
        store.db.run(async () => {
          await write(kept);
          txids.push(await txid(store.db));
          bothWritten[0].resolve(undefined);
          await bothWritten[1].promise;
        }),
        store.db.run(async () => {
          await write(lost);
          txids.push(await txid(store.db));
          bothWritten[1].resolve(undefined);
          await bothWritten[0].promise;
          throw new Error('only this one fails');
        }),
      ]);

      // Assess
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
      expect(new Set(txids).size).toBe(2);
      expect(await traces(kept)).toBe(2);
      expect(await traces(lost)).toBe(0);
    });

    it('runs a transaction the engine aborted for a deadlock again, so both sides commit once', async () => {
      // Prepare: two transactions that lock the same two rows in opposite orders.
      await store.db.query({
        text: 'CREATE TABLE IF NOT EXISTS spec_counters (id int PRIMARY KEY, n int NOT NULL)',
        values: [],
      });
      await store.db.query({
        text: 'INSERT INTO spec_counters VALUES (1, 0), (2, 0) ON CONFLICT (id) DO UPDATE SET n = 0',
        values: [],
      });
      const bump = (id: number) =>
        store.db.query({ text: 'UPDATE spec_counters SET n = n + 1 WHERE id = $1', values: [id] });
      const bothLocked = deferred<true>();
      let locked = 0;
      const attempts = { forward: 0, backward: 0 };
      const crossing = (side: 'forward' | 'backward', first: number, second: number) =>
        store.db.run(async () => {
          attempts[side] += 1;
          await bump(first);
          locked += 1;
          if (locked === 2) bothLocked.resolve(true);
          await bothLocked.promise;
          await bump(second);
        });

      // Act
      const outcomes = await Promise.allSettled([
        crossing('forward', 1, 2),
        crossing('backward', 2, 1),
      ]);

      // Assess: PostgreSQL aborted one of them (40P01); it ran again and committed.
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
      expect(attempts.forward + attempts.backward).toBe(3);
      const { rows } = await store.db.query<{ id: number; n: number }>({
        text: 'SELECT id, n FROM spec_counters ORDER BY id',
        values: [],
      });
      expect(rows).toEqual([
        { id: 1, n: 2 },
        { id: 2, n: 2 },
      ]);
    });

    it('does not run work again after a failure that is not a conflict', async () => {
      // Prepare
      let attempts = 0;

      // Act
      const outcome = store.db.run(async () => {
        attempts += 1;
        await store.db.query({ text: 'SELECT 1/0', values: [] });
      });

      // Assess
      await expect(outcome).rejects.toThrow('division by zero');
      expect(attempts).toBe(1);
    });

    it('returns its connection to the pool after a failure (more failed runs than connections)', async () => {
      // Prepare
      const runs = store.db.config.poolSize * 3;

      // Act
      const outcomes = await Promise.allSettled(
        Array.from({ length: runs }, (_, i) =>
          store.db.run(async () => {
            await store.db.query({ text: 'SELECT 1', values: [] });
            throw new Error(`failure ${i}`);
          }),
        ),
      );

      // Assess
      expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
      expect(await store.db.run(() => txid(store.db))).not.toBe('');
      expect(store.db.pool.totalCount).toBeLessThanOrEqual(store.db.config.poolSize);
      expect(store.db.pool.waitingCount).toBe(0);
    });
  });

  describe('query outside a transaction', () => {
    it('prepares named statements once per connection and reuses them', async () => {
      // Prepare: one connection, so every query lands on the same session.
      const single = await Database.connect(
        testDatabaseConfig(store.db.config.url, { poolSize: 1 }),
      );
      const statement = {
        name: 'tf_spec_named',
        text: 'SELECT $1::int + 1 AS n',
        values: [1],
      } as const;

      try {
        // Act
        const results = [
          await single.query<{ n: number }>(statement),
          await single.query<{ n: number }>({ ...statement, values: [41] }),
        ];
        const { rows } = await single.query<{ name: string }>({
          text: 'SELECT name FROM pg_prepared_statements',
          values: [],
        });

        // Assess
        expect(results.map((r) => r.rows)).toEqual([[{ n: 2 }], [{ n: 42 }]]);
        expect(rows.map((row) => row.name)).toEqual(['tf_spec_named']);
      } finally {
        await single.close();
      }
    });
  });

  describe('traceQuery', () => {
    it('wraps every statement, in and out of transactions, under its name or first words', async () => {
      const spans: { name: string; outcome: 'ok' | 'error' }[] = [];
      const traced = await Database.connect(
        testDatabaseConfig(store.db.config.url, {
          traceQuery: async (name, run) => {
            try {
              const result = await run();
              spans.push({ name, outcome: 'ok' });
              return result;
            } catch (error) {
              spans.push({ name, outcome: 'error' });
              throw error;
            }
          },
        }),
      );
      try {
        await traced.query({ name: 'tf_spec_one', text: 'SELECT 1', values: [] });
        await traced.run(() => traced.query({ text: '  SELECT   2 AS two', values: [] }));
        await expect(
          traced.query({ text: 'SELECT * FROM no_such_table', values: [] }),
        ).rejects.toThrow(/no_such_table/);
        expect(spans).toEqual([
          { name: 'tf_spec_one', outcome: 'ok' },
          { name: 'SELECT 2', outcome: 'ok' },
          { name: 'SELECT *', outcome: 'error' },
        ]);
      } finally {
        await traced.close();
      }
    });
  });

  describe('ping and close', () => {
    it('pings true while open', async () => {
      // Act
      const up = await store.db.ping();

      // Assess
      expect(up).toBe(true);
    });

    describe('after close()', () => {
      let closed: PlatformStores;

      beforeAll(async () => {
        closed = await openPlatformStores(store.db.config.url);
        await closed.db.query({ text: 'SELECT 1', values: [] });
        await closed.close();
      });

      it.each<[string, () => Promise<unknown>]>([
        ['a raw query', () => closed.db.query({ text: 'SELECT 1', values: [] })],
        ['a transaction', () => closed.db.run(() => Promise.resolve(1))],
        ['a store read', () => closed.outbox.lagMs(new Date())],
      ])('%s rejects', async (_what, act) => {
        // Act
        const attempt = act();

        // Assess
        await expect(attempt).rejects.toBeInstanceOf(Error);
      });

      it('close() may be called again', async () => {
        // Act
        const again = closed.close();

        // Assess
        await expect(again).resolves.toBeUndefined();
      });

      it('ping() answers false (the health check reports the database down, it does not throw)', async () => {
        // Act
        const up = closed.db.ping(500);

        // Assess
        await expect(up).resolves.toBe(false);
      });
    });
  });
});
