import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { eventually, useTestDatabase } from './testing';
import { openPlatformStores } from './testing/platform-stores.fixture';
import { PgProjectStreamReader } from './pg-project-stream.reader';

describe('PgProjectStreamReader', () => {
  const store = useTestDatabase('pp_stream_reader', openPlatformStores);
  let reader: PgProjectStreamReader;

  beforeAll(() => {
    reader = new PgProjectStreamReader(store.db);
  });

  /** An outbox row of `projectId` written by transaction `tx` (given, or the real writer's). */
  const write = async (projectId: string, tx?: number): Promise<string> => {
    const id = randomUUID();
    const payload = JSON.stringify({ id, type: 'task.deleted', projectId });
    await store.db.query({
      text: `INSERT INTO outbox (id, type, schema_version, aggregate_id, aggregate_version, project_id, occurred_at, payload${tx === undefined ? '' : ', tx'})
             VALUES ($1, 'task.deleted', 1, $1, 1, $2, now(), $3${tx === undefined ? '' : ', $4'})`,
      values: tx === undefined ? [id, projectId, payload] : [id, projectId, payload, tx],
    });
    return id;
  };

  it('orders by transaction as a number, across digit boundaries (9 < 10, 99 < 100)', async () => {
    const project = randomUUID();
    // Finished long ago (below any live transaction id, even on a fresh cluster), written out
    // of order. As text, '10' < '100' < '9' < '99'.
    const at100 = await write(project, 100);
    const at9 = await write(project, 9);
    const at99 = await write(project, 99);
    const at10 = await write(project, 10);

    const all = await reader.after(project, null, 10);
    expect(all.events.map((e) => e.cursor.tx)).toEqual([9n, 10n, 99n, 100n]);
    expect(all.events.map((e) => e.envelope.id)).toEqual([at9, at10, at99, at100]);
    expect(all.heldBack).toBe(false);

    const afterNines = await reader.after(project, { tx: 99n, id: at99 }, 10);
    expect(afterNines.events.map((e) => e.envelope.id)).toEqual([at100]);
    expect(await reader.head(project)).toEqual({ tx: 100n, id: at100 });
  });

  it('pages in (transaction, id) order and says when more is there', async () => {
    const project = randomUUID();
    const ids = [await write(project, 50), await write(project, 50), await write(project, 51)];
    const sortedAt50 = ids.slice(0, 2).sort();

    const first = await reader.after(project, null, 2);
    expect(first.events.map((e) => e.envelope.id)).toEqual(sortedAt50);
    expect(first.heldBack).toBe(true);
    const last = first.events.at(-1)?.cursor ?? null;
    const rest = await reader.after(project, last, 2);
    expect(rest.events.map((e) => e.envelope.id)).toEqual([ids[2]]);
    expect(rest.heldBack).toBe(false);
  });

  it('holds back rows newer than a transaction still running, and delivers them when asked to', async () => {
    const project = randomUUID();
    const done = await write(project);
    // The horizon is server-wide: first let any older transaction of other test files finish
    // (once `done` is deliverable, no later transaction can hold it back).
    await eventually(
      async () => (await reader.after(project, null, 10)).events.length === 1,
      5_000,
      'the first write to become deliverable',
    );
    // A writer that has taken its transaction id and not committed.
    const open = new Client({ connectionString: store.db.config.url });
    await open.connect();
    try {
      await open.query('BEGIN');
      await open.query('SELECT pg_current_xact_id()');
      const later = await write(project);

      // What committed before the open transaction began is final; what came after waits.
      const held = await reader.after(project, null, 10);
      expect(held.events.map((e) => e.envelope.id)).toEqual([done]);
      expect(held.heldBack).toBe(true);
      expect((await reader.head(project))?.id).toBe(done);

      const forced = await reader.after(project, null, 10, { evenIfHeldBack: true });
      expect(forced.events.map((e) => e.envelope.id)).toEqual([done, later]);

      await open.query('COMMIT');
      const released = await reader.after(project, null, 10);
      expect(released.events.map((e) => e.envelope.id)).toEqual([done, later]);
      expect(released.heldBack).toBe(false);
    } finally {
      await open.end();
    }
  });
});
