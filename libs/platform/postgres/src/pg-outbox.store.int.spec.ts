import { type EventEnvelope, type PendingEvent } from '@taskflow/platform-events';
import { OutboxRelay } from '@taskflow/platform-relay';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { ScriptedPublisher } from '@taskflow/platform-testing';
import type { Database } from './database';
import { type StatementLog, recordStatements } from './dsql-rules';
import { testDatabaseConfig, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';
import { PgOutboxStore } from './pg-outbox.store';
import { WriteBatch, appendOutbox } from './write-batch';

describe.each(['postgres', 'dsql'] as const)('PgOutboxStore on the %s dialect', (dialect) => {
  const persistence = useTestDatabase(`outbox_${dialect}`, (url) =>
    openPlatformStores(url, dialect),
  );
  let log: StatementLog;
  const actorId = uuidV7Generator.next();
  const projectId = uuidV7Generator.next();

  beforeAll(() => {
    log = recordStatements(persistence.db);
  });

  beforeEach(async () => {
    // Each test starts with every earlier event published, so it sees only its own.
    await persistence.db.query({
      text: 'DELETE FROM outbox_pending',
      values: [],
    });
  });

  /** Writes a command's events to the outbox in one statement, as a repository does. */
  const command = async (...events: PendingEvent[]): Promise<void> => {
    const batch = new WriteBatch();
    appendOutbox(batch, events, { correlationId: 'c' }, uuidV7Generator);
    await persistence.db.query(batch.toStatement());
  };
  /** The fields of an event of task `taskId` at `aggregateVersion`, but its type and data. */
  const ofTask = (taskId: string, aggregateVersion: number) => ({
    aggregateId: taskId,
    aggregateVersion,
    projectId,
    actor: actorId,
    occurredAt: new Date().toISOString(),
  });
  /** A task assigned, then deleted: two events of one command. */
  const assignedThenDeleted = async (): Promise<void> => {
    const taskId = uuidV7Generator.next();
    await command(
      {
        type: 'task.assigned',
        schemaVersion: 1,
        data: { from: null, to: actorId },
        ...ofTask(taskId, 2),
      },
      {
        type: 'task.deleted',
        schemaVersion: 1,
        data: { deletedAt: new Date().toISOString() },
        ...ofTask(taskId, 3),
      },
    );
  };

  const newEvents = async (commands: number): Promise<string[]> => {
    for (let i = 0; i < commands; i += 1) await assignedThenDeleted();
    const { rows } = await persistence.db.query<{ id: string }>({
      text: 'SELECT id FROM outbox_pending ORDER BY id',
      values: [],
    });
    return rows.map((r) => r.id);
  };

  it('claims due events oldest first, under a lease other relays respect', async () => {
    // Prepare: each command writes two events (assigned, deleted)
    const ids = await newEvents(3);

    // Act
    const first = await persistence.outbox.claimDue({
      limit: 4,
      leaseMs: 60_000,
      owner: 'a',
      minAgeMs: 0,
    });
    const second = await persistence.outbox.claimDue({
      limit: 10,
      leaseMs: 60_000,
      owner: 'b',
      minAgeMs: 0,
    });
    const third = await persistence.outbox.claimDue({
      limit: 10,
      leaseMs: 60_000,
      owner: 'c',
      minAgeMs: 0,
    });

    // Assess
    expect(first.map((c) => c.id)).toEqual(ids.slice(0, 4));
    expect(second.map((c) => c.id)).toEqual(ids.slice(4));
    expect(third).toEqual([]);
    expect(first[0]?.attempts).toBe(0);
  });

  it('claims events as stored: the payload text untouched, with id, type and occurredAt', async () => {
    // Prepare: stored text laid out unlike JSON.stringify, so a re-serialised payload shows.
    const ids = await newEvents(1);
    await persistence.db.query({
      text: 'UPDATE outbox SET payload = jsonb_pretty(payload::jsonb) WHERE id = ANY($1::uuid[])',
      values: [ids],
    });
    const { rows } = await persistence.db.query<{ id: string; payload: string }>({
      text: 'SELECT id, payload FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY id',
      values: [ids],
    });

    // Act
    const claimed = await persistence.outbox.claimDue({
      limit: 10,
      leaseMs: 60_000,
      owner: 'a',
      minAgeMs: 0,
    });

    // Assess
    expect(claimed).toEqual(
      rows.map((row) => {
        const envelope = JSON.parse(row.payload) as EventEnvelope;
        return {
          id: row.id,
          type: envelope.type,
          occurredAt: envelope.occurredAt,
          json: row.payload,
          attempts: 0,
        };
      }),
    );
    expect(claimed[0]?.json).toContain('\n');
  });

  it('ten concurrent claimers split the events without overlap', async () => {
    const ids = await newEvents(10);

    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        persistence.outbox.claimDue({ limit: 3, leaseMs: 60_000, owner: `r${i}`, minAgeMs: 0 }),
      ),
    );
    // On DSQL's optimistic path a claimer that keeps losing the race takes nothing this round;
    // what it left is still due for the next one.
    const rest = await persistence.outbox.claimDue({
      limit: 100,
      leaseMs: 60_000,
      owner: 'late',
      minAgeMs: 0,
    });

    const claimed = [...claims.flat(), ...rest].map((c) => c.id);
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(ids.sort());
    if (dialect === 'postgres') expect(rest).toEqual([]);
  });

  it('two relays sweeping at once never publish one event twice while a lease is live', async () => {
    // Prepare
    const ids = await newEvents(15);
    const publisher = new ScriptedPublisher();
    const relays = ['a', 'b'].map(
      (owner) =>
        new OutboxRelay(persistence.outbox, publisher, systemClock, {
          owner,
          claimLimit: 4,
          fastPathGraceMs: 0,
          leaseMs: 60_000,
        }),
    );

    // Act
    await Promise.all(relays.map((relay) => relay.sweepUntilIdle()));
    // A loser of every race on the optimistic path claims nothing in its round: sweep the rest.
    await relays[0]?.sweepUntilIdle();

    // Assess
    expect(new Set(publisher.delivered).size).toBe(publisher.delivered.length);
    expect([...publisher.delivered].sort()).toEqual([...ids].sort());
    expect(
      (
        await persistence.db.query<{ n: number }>({
          text: 'SELECT count(*) AS n FROM outbox_pending',
          values: [],
        })
      ).rows[0]?.n,
    ).toBe(0);
  });

  it('leaves events younger than minAge to the fast path', async () => {
    await newEvents(1);
    expect(
      await persistence.outbox.claimDue({
        limit: 10,
        leaseMs: 1_000,
        owner: 'a',
        minAgeMs: 60_000,
      }),
    ).toEqual([]);
  });

  it('an expired lease makes events claimable again', async () => {
    const ids = await newEvents(1);
    await persistence.outbox.claimDue({ limit: 10, leaseMs: 1, owner: 'crashed', minAgeMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await persistence.outbox.claimDue({
      limit: 10,
      leaseMs: 60_000,
      owner: 'b',
      minAgeMs: 0,
    });
    expect(again.map((c) => c.id)).toEqual(ids);
  });

  it('publishing leaves the log intact: the event stays in the outbox, its pending row goes', async () => {
    const [id] = await newEvents(1);
    if (id === undefined) throw new Error('expected an event');
    await persistence.outbox.markPublished([id]);
    const { rows } = await persistence.db.query<{ logged: number; pending: number }>({
      text: 'SELECT (SELECT count(*) FROM outbox WHERE id = $1) AS logged, (SELECT count(*) FROM outbox_pending WHERE id = $1) AS pending',
      values: [id],
    });
    expect(rows[0]).toEqual({ logged: 1, pending: 0 });
  });

  it('marks several events published at once, and only those', async () => {
    // Prepare
    const ids = await newEvents(3);

    // Act
    await persistence.outbox.markPublished(ids.slice(1, 5));
    await persistence.outbox.markPublished([]);

    // Assess
    const { rows } = await persistence.db.query<{ id: string }>({
      text: 'SELECT id FROM outbox_pending ORDER BY id',
      values: [],
    });
    expect(rows.map((row) => row.id)).toEqual([ids[0], ids[5]]);
  });

  it('published events are never claimed; failures back off, count attempts, and abandonment is final', async () => {
    const [a, b, c] = await newEvents(2);
    if (!a || !b || !c) throw new Error('expected events');
    await persistence.outbox.markPublished([a]);
    await persistence.outbox.recordFailures([
      { id: b, reason: 'ThrottlingException', nextAttemptAt: new Date(Date.now() + 60_000) },
      { id: c, reason: 'too large', nextAttemptAt: null },
    ]);

    expect(
      await persistence.outbox.claimDue({ limit: 10, leaseMs: 1_000, owner: 'a', minAgeMs: 0 }),
    ).toHaveLength(1);
    const { rows } = await persistence.db.query<{
      id: string;
      attempts: number | null;
      last_error: string | null;
      abandoned: boolean;
    }>({
      text: 'SELECT id, attempts, last_error, abandoned_at IS NOT NULL AS abandoned FROM outbox_pending WHERE id = ANY($1::uuid[]) ORDER BY id',
      values: [[b, c]],
    });
    expect(rows).toEqual([
      { id: b, attempts: 1, last_error: 'ThrottlingException', abandoned: false },
      { id: c, attempts: 1, last_error: 'too large', abandoned: true },
    ]);
  });

  it('reports the age of the oldest unpublished event as lag', async () => {
    await newEvents(1);
    const lag = await persistence.outbox.lagMs(new Date(Date.now() + 10_000));
    expect(lag).toBeGreaterThanOrEqual(10_000);
    expect(lag).toBeLessThan(20_000);
  });

  it('reads the log since a time, by type, page after page', async () => {
    const before = new Date();
    await assignedThenDeleted();
    const statusChanged = (): PendingEvent => ({
      type: 'task.status_changed',
      schemaVersion: 1,
      data: { from: 'pending', to: 'in_progress' },
      ...ofTask(uuidV7Generator.next(), 2),
    });
    await command(statusChanged());
    await command(statusChanged());

    const all = await persistence.outbox.readSince({
      since: before,
      types: null,
      afterId: null,
      limit: 100,
    });
    const first = await persistence.outbox.readSince({
      since: before,
      types: ['task.status_changed'],
      afterId: null,
      limit: 1,
    });
    const second = await persistence.outbox.readSince({
      since: before,
      types: ['task.status_changed'],
      afterId: first[0]?.id ?? null,
      limit: 1,
    });
    const future = await persistence.outbox.readSince({
      since: new Date(Date.now() + 60_000),
      types: null,
      afterId: null,
      limit: 100,
    });

    expect(all.map((e) => e.type)).toEqual([
      'task.assigned',
      'task.deleted',
      'task.status_changed',
      'task.status_changed',
    ]);
    expect([...first, ...second].map((e) => e.id)).toEqual(all.slice(2).map((e) => e.id));
    expect(future).toEqual([]);
    // As stored, for replay to publish as they are.
    const { rows } = await persistence.db.query<{ payload: string }>({
      text: 'SELECT payload FROM outbox WHERE id = ANY($1::uuid[]) ORDER BY id',
      values: [all.map((e) => e.id)],
    });
    expect(all).toEqual(
      rows.map(({ payload }) => {
        const envelope = JSON.parse(payload) as EventEnvelope;
        const { id, type, occurredAt } = envelope;
        return { id, type, occurredAt, json: payload };
      }),
    );
  });

  if (dialect === 'postgres')
    it('records the writing transaction id on PostgreSQL', async () => {
      await newEvents(1);
      const { rows } = await persistence.db.query<{ tx: string | null }>({
        text: 'SELECT o.tx::text AS tx FROM outbox o JOIN outbox_pending p ON p.id = o.id',
        values: [],
      });
      expect(rows.length).toBe(2);
      expect(rows[0]?.tx).toMatch(/^\d+$/);
      // Both events of one command come from one transaction.
      expect(rows[0]?.tx).toBe(rows[1]?.tx);
    });

  if (dialect === 'dsql')
    it('runs its sessions under snapshot isolation, as DSQL does', async () => {
      const { rows } = await persistence.db.query<{ transaction_isolation: string }>({
        text: 'SHOW transaction_isolation',
        values: [],
      });
      expect(rows).toEqual([{ transaction_isolation: 'repeatable read' }]);
    });

  if (dialect === 'dsql')
    it('sends DSQL only statements it accepts: no row lock but on a primary key, no NOTIFY', async () => {
      // Prepare
      const ids = await newEvents(3);
      log.clear();

      // Act: what a relay does in a round, and what replay reads
      const claimed = await persistence.outbox.claimDue({
        limit: 4,
        leaseMs: 60_000,
        owner: 'a',
        minAgeMs: 0,
      });
      await persistence.outbox.markPublished(claimed.slice(0, 2).map((c) => c.id));
      await persistence.outbox.recordFailures(
        claimed.slice(2).map((c) => ({ id: c.id, reason: 'x', nextAttemptAt: new Date() })),
      );
      await persistence.outbox.lagMs(new Date());
      await persistence.outbox.readSince({
        since: new Date(0),
        types: null,
        afterId: null,
        limit: 10,
      });

      // Assess
      expect(claimed.map((c) => c.id)).toEqual(ids.slice(0, 4));
      expect(
        log.statements.some((text) => text.includes('UPDATE outbox_pending p SET lease_owner')),
      ).toBe(true);
      expect(log.violations()).toEqual([]);
      expect(log.oversized()).toEqual([]);
    });
});

describe('PgOutboxStore on the dsql dialect, losing every retry of a claim', () => {
  it('claims nothing this round instead of failing the sweep: the winner publishes those rows', async () => {
    // Prepare: a pool whose every statement DSQL aborts for a conflicting concurrent claim.
    const conflict = Object.assign(new Error('change conflicts with another transaction'), {
      code: '40001',
    });
    const db = {
      config: testDatabaseConfig('postgres://unused', { dialect: 'dsql' }),
      query: () => Promise.reject(conflict),
    } as unknown as Database;
    const store = new PgOutboxStore(db);

    // Act
    const claimed = await store.claimDue({ limit: 10, leaseMs: 1_000, owner: 'a', minAgeMs: 0 });

    // Assess
    expect(claimed).toEqual([]);
  });

  it('still fails on any other error', async () => {
    // Prepare
    const db = {
      config: testDatabaseConfig('postgres://unused', { dialect: 'dsql' }),
      query: () => Promise.reject(Object.assign(new Error('relation missing'), { code: '42P01' })),
    } as unknown as Database;

    // Act
    const outcome = new PgOutboxStore(db).claimDue({
      limit: 10,
      leaseMs: 1_000,
      owner: 'a',
      minAgeMs: 0,
    });

    // Assess
    await expect(outcome).rejects.toThrow('relation missing');
  });
});
