import { Project } from '@taskflow/projects-domain';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { Comment, Task } from '@taskflow/tasks-domain';
import { type TestDatabase, createTestDatabase } from '@taskflow/platform-testing';
import { User } from '@taskflow/users-domain';
import { Database } from './database';
import type { Persistence } from './persistence';
import {
  type UseCases,
  as,
  count,
  deferred,
  openMigrated,
  ownerWithProject,
  testConfig,
  token,
  useCasesOver,
} from './testing/persistence-fixture';

const TXID = { text: 'SELECT txid_current()::text AS txid', values: [] } as const;

describe('Database', () => {
  let database: TestDatabase;
  let store: Persistence;
  let app: UseCases;
  let ownerId: string;
  let projectId: string;

  beforeAll(async () => {
    database = await createTestDatabase('pp_database');
    store = await openMigrated(database.url);
    app = useCasesOver(store);
    ({ ownerId, projectId } = await ownerWithProject(app));
  });

  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  async function txid(db: Database): Promise<string> {
    const { rows } = await db.query<{ txid: string }>(TXID);
    return rows[0]?.txid ?? '';
  }

  /** Rows of any table naming `id` in its id or aggregate column, read on a connection of its own. */
  async function traces(id: string): Promise<number> {
    const { rows } = await store.db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM projects WHERE id = $1)
            + (SELECT count(*) FROM project_members WHERE project_id = $1) + (SELECT count(*) FROM tasks WHERE id = $1)
            + (SELECT count(*) FROM task_updates WHERE task_id = $1) + (SELECT count(*) FROM comments WHERE id = $1)
            + (SELECT count(*) FROM outbox WHERE aggregate_id = $1) AS n`,
      [id],
    );
    return rows[0]?.n ?? -1;
  }

  describe('run', () => {
    it('runs at READ COMMITTED even where the database defaults to REPEATABLE READ', async () => {
      // Prepare
      const strict = await createTestDatabase('pp_database_rr');
      const admin = await Database.connect(testConfig(strict.url));
      await admin.query({
        text: `ALTER DATABASE "${new URL(strict.url).pathname.slice(1)}" SET default_transaction_isolation = 'repeatable read'`,
        values: [],
      });
      await admin.close();
      const db = await Database.connect(testConfig(strict.url));
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
      const user = User.create({
        id: uuidV7Generator.next(),
        name: 'Committed',
        email: `c.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });

      // Act
      const result = await store.db.run(async () => {
        await store.users.add(user, { correlationId: null });
        return 42;
      });

      // Assess
      expect(result).toBe(42);
      expect(await traces(user.id)).toBe(2);
    });

    it('rolls back every repository write made inside it when the work throws, and rethrows that error', async () => {
      // Prepare
      const failure = new Error('work failed after writing');
      const now = new Date();
      const access = await store.projects.accessFor(projectId, [ownerId]);
      if (access === null) throw new Error('project not stored');
      const user = User.create({
        id: uuidV7Generator.next(),
        name: 'Rolled back',
        email: `rb.${token()}@example.com`,
        actorId: null,
        now,
      });
      const project = Project.create({
        id: uuidV7Generator.next(),
        name: 'Rolled back',
        creatorId: ownerId,
        now,
      });
      const task = Task.create({
        id: uuidV7Generator.next(),
        projectId,
        title: 'Rolled back',
        fields: {},
        actorId: ownerId,
        access,
        now,
      });
      const comment = Comment.create({
        id: uuidV7Generator.next(),
        taskId: task.id,
        projectId,
        body: 'gone',
        authorId: ownerId,
        access,
        now,
      });
      const existing = await app.tasks.create({ projectId, title: 'Kept as it was' }, as(ownerId));
      const idempotency = {
        actorId: ownerId,
        key: `k-${token()}`,
        requestHash: 'h',
        response: { status: 200, headers: {} },
        createdAt: now.toISOString(),
      };
      const seen: number[] = [];

      // Act
      const attempt = store.db.run(async () => {
        await store.users.add(user, { correlationId: null });
        await store.projects.add(project, { correlationId: null });
        await store.tasks.add(task, { correlationId: null });
        await store.comments.add(comment, { correlationId: null });
        await app.tasks.update(
          existing.id,
          { title: 'Changed', labels: ['rolled'] },
          null,
          as(ownerId),
        );
        await store.idempotency.put(idempotency, new Date(0));
        // Another session sees none of it yet; the transaction sees its own writes.
        seen.push(await traces(user.id), (await store.tasks.findById(task.id)) === null ? 0 : 1);
        throw failure;
      });

      // Assess
      await expect(attempt).rejects.toBe(failure);
      expect(seen).toEqual([0, 1]);
      expect(
        await Promise.all([user.id, project.id, task.id, comment.snapshot().id].map(traces)),
      ).toEqual([0, 0, 0, 0]);
      expect(await store.tasks.findById(existing.id)).toMatchObject({ version: 1 });
      expect((await store.tasks.history(existing.id)).map((entry) => entry.version)).toEqual([1]);
      expect(
        await count(store.db, 'SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1', [
          existing.id,
        ]),
      ).toBe(1);
      expect(
        await store.idempotency.find(idempotency.actorId, idempotency.key, new Date(0)),
      ).toBeNull();
    });

    it('lets a nested run join the outer transaction, so an outer failure undoes the inner writes', async () => {
      // Prepare
      const user = User.create({
        id: uuidV7Generator.next(),
        name: 'Nested',
        email: `n.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });
      const ids: string[] = [];

      // Act
      const attempt = store.db.run(async () => {
        ids.push(await txid(store.db));
        await store.db.run(async () => {
          ids.push(await txid(store.db));
          await store.users.add(user, { correlationId: null });
        });
        ids.push(await txid(store.db));
        throw new Error('outer fails after the inner run returned');
      });

      // Assess
      await expect(attempt).rejects.toThrow('outer fails');
      expect(new Set(ids).size).toBe(1);
      expect(await traces(user.id)).toBe(0);
    });

    it('keeps writes invisible to other sessions until the outer run commits', async () => {
      // Prepare
      const user = User.create({
        id: uuidV7Generator.next(),
        name: 'Pending',
        email: `p.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });
      const written = deferred<undefined>();
      const commit = deferred<undefined>();

      // Act
      const outer = store.db.run(async () => {
        await store.db.run(() => store.users.add(user, { correlationId: null }));
        written.resolve(undefined);
        await commit.promise;
      });
      await written.promise;
      const whileOpen = await traces(user.id);
      commit.resolve(undefined);
      await outer;

      // Assess
      expect(whileOpen).toBe(0);
      expect(await traces(user.id)).toBe(2);
    });

    it('gives concurrent runs separate transactions: one rolling back keeps the other', async () => {
      // Prepare
      const kept = User.create({
        id: uuidV7Generator.next(),
        name: 'Kept',
        email: `k.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });
      const lost = User.create({
        id: uuidV7Generator.next(),
        name: 'Lost',
        email: `l.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });
      const bothWritten = [deferred<undefined>(), deferred<undefined>()] as const;
      const txids: string[] = [];

      // Act
      const outcomes = await Promise.allSettled([
        store.db.run(async () => {
          await store.users.add(kept, { correlationId: null });
          txids.push(await txid(store.db));
          bothWritten[0].resolve(undefined);
          await bothWritten[1].promise;
        }),
        store.db.run(async () => {
          await store.users.add(lost, { correlationId: null });
          txids.push(await txid(store.db));
          bothWritten[1].resolve(undefined);
          await bothWritten[0].promise;
          throw new Error('only this one fails');
        }),
      ]);

      // Assess
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
      expect(new Set(txids).size).toBe(2);
      expect(await traces(kept.id)).toBe(2);
      expect(await traces(lost.id)).toBe(0);
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

    it('rolls back after a failed statement inside it, leaving the connection usable', async () => {
      // Prepare
      const email = `dup.${token()}@example.com`;
      await store.users.add(
        User.create({
          id: uuidV7Generator.next(),
          name: 'First',
          email,
          actorId: null,
          now: new Date(),
        }),
        { correlationId: null },
      );
      const second = User.create({
        id: uuidV7Generator.next(),
        name: 'Second',
        email: email.toUpperCase(),
        actorId: null,
        now: new Date(),
      });
      const before = User.create({
        id: uuidV7Generator.next(),
        name: 'Before',
        email: `b.${token()}@example.com`,
        actorId: null,
        now: new Date(),
      });

      // Act
      const attempt = store.db.run(async () => {
        await store.users.add(before, { correlationId: null });
        await store.users.add(second, { correlationId: null });
      });

      // Assess
      await expect(attempt).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
      expect(await traces(before.id)).toBe(0);
      expect(await store.db.run(() => store.users.findByEmail(email))).not.toBeNull();
    });
  });

  describe('query outside a transaction', () => {
    it('prepares named statements once per connection and reuses them', async () => {
      // Prepare: one connection, so every query lands on the same session.
      const single = await Database.connect(testConfig(database.url, { poolSize: 1 }));
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
        testConfig(database.url, {
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
      let closed: Persistence;
      let knownUser: string;

      beforeAll(async () => {
        closed = await openMigrated(database.url);
        knownUser = await app.users
          .ensureByEmail({ name: 'Known', email: `known.${token()}@example.com` }, null)
          .then((u) => u.id);
        await closed.users.findById(knownUser);
        await closed.close();
      });

      it.each<[string, () => Promise<unknown>]>([
        ['a repository read', () => closed.users.findById(knownUser)],
        [
          'a repository write',
          () =>
            closed.users.add(
              User.create({
                id: uuidV7Generator.next(),
                name: 'Late',
                email: `late.${token()}@example.com`,
                actorId: null,
                now: new Date(),
              }),
              { correlationId: null },
            ),
        ],
        ['a raw query', () => closed.db.query({ text: 'SELECT 1', values: [] })],
        ['a transaction', () => closed.db.run(() => Promise.resolve(1))],
        ['a migration', () => closed.migrate()],
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
