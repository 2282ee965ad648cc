import { FreezingProxy } from '@taskflow/platform-testing';
import { Client } from 'pg';
import { Database } from './database';
import { testDatabaseConfig, useTestDatabase } from './testing';

const CONNECT_TIMEOUT_MS = 300;
const QUERY_TIMEOUT_MS = 600;
// What a deadline may overrun by on a loaded machine, and still count as kept.
const SLACK_MS = 700;

/** How long `work` took to settle, and how: the bound makes a hang a failure, not a timeout. */
async function settle(
  work: Promise<unknown>,
  boundMs: number,
): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<{ error: unknown }>((resolve) => {
    timer = setTimeout(
      () => resolve({ error: new Error(`still waiting after ${boundMs} ms`) }),
      boundMs,
    );
  });
  try {
    const outcome = await Promise.race([
      work.then(
        () => ({ error: null }),
        (error: unknown) => ({ error }),
      ),
      hung,
    ]);
    return { ms: performance.now() - started, error: outcome.error };
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

describe('Database deadlines, with the database frozen behind a proxy', () => {
  // The proxy and the admin client are opened with the database and closed before it is dropped.
  const setup = useTestDatabase('pp_deadlines', async (url) => {
    const target = new URL(url);
    const proxy = await FreezingProxy.start({ host: target.hostname, port: Number(target.port) });
    const admin = new Client({ connectionString: url });
    await admin.connect();
    await admin.query('CREATE TABLE marks (name text PRIMARY KEY)');
    return {
      url,
      proxy,
      admin,
      close: async () => {
        await admin.end();
        await proxy.close();
      },
    };
  });
  let db: Database;

  beforeEach(async () => {
    db = await Database.connect(
      testDatabaseConfig(setup.proxy.through(setup.url), {
        poolSize: 1,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        queryTimeoutMs: QUERY_TIMEOUT_MS,
      }),
    );
    await setup.admin.query('DELETE FROM marks');
  });

  afterEach(async () => {
    setup.proxy.thaw();
    await db.close();
  });

  const marks = async (): Promise<string[]> =>
    (await setup.admin.query<{ name: string }>('SELECT name FROM marks ORDER BY name')).rows.map(
      (r) => r.name,
    );

  /**
   * A transaction, on the pool's open connection, that writes the mark `name`, freezes the
   * database, then does `afterFreeze`; how it settled, once the database is thawed again.
   */
  const freezeAfterWriting = async (name: string, afterFreeze?: () => Promise<unknown>) => {
    await db.query({ text: 'SELECT 1', values: [] });
    const outcome = await settle(
      db.run(async () => {
        await db.query({ text: 'INSERT INTO marks (name) VALUES ($1)', values: [name] });
        setup.proxy.freeze();
        await afterFreeze?.();
      }),
      5_000,
    );
    setup.proxy.thaw();
    return outcome;
  };

  it('fails a statement on a pooled connection at its deadline, then serves again after the thaw', async () => {
    // Prepare: the pool's one connection is open and idle.
    await db.query({ text: 'SELECT 1', values: [] });
    setup.proxy.freeze();

    // Act
    const frozen = await settle(db.query({ text: 'SELECT 1', values: [] }), 5_000);
    setup.proxy.thaw();

    // Assess
    expect(messageOf(frozen.error)).toMatch(/Query read timeout/);
    expect(frozen.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
    expect(frozen.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    const { rows } = await db.query<{ one: number }>({ text: 'SELECT 1 AS one', values: [] });
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('fails the wait for a connection at the connect deadline when the pool is busy or cannot open one', async () => {
    // Prepare: the one connection will be stuck on a statement.
    await db.query({ text: 'SELECT 1', values: [] });
    setup.proxy.freeze();
    const stuck = settle(db.query({ text: 'SELECT 1', values: [] }), 5_000);

    // Act: waits behind the stuck statement; then, once it is destroyed, opens a new connection.
    const waiting = await settle(db.query({ text: 'SELECT 2', values: [] }), 5_000);
    const destroyed = await stuck;
    const opening = await settle(db.query({ text: 'SELECT 3', values: [] }), 5_000);

    // Assess
    expect(messageOf(waiting.error)).toMatch(/timeout exceeded when trying to connect/);
    expect(waiting.ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    expect(messageOf(destroyed.error)).toMatch(/Query read timeout/);
    expect(messageOf(opening.error)).toMatch(/Connection terminated due to connection timeout/);
    expect(opening.ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    setup.proxy.thaw();
    expect((await db.query({ text: 'SELECT 4 AS n', values: [] })).rows).toEqual([{ n: 4 }]);
  });

  it('discards a transaction whose statement missed its deadline, without a ROLLBACK that would wait again', async () => {
    // Act: the transaction's first write is sent, then the database freezes.
    const failed = await freezeAfterWriting('lost', () =>
      db.query({ text: 'SELECT 1', values: [] }),
    );

    // Assess: one deadline, not two (the ROLLBACK would have waited out another).
    expect(messageOf(failed.error)).toMatch(/Query read timeout/);
    expect(failed.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    // The pool's one connection is a new one, in no transaction: this commits on its own.
    await db.run(() => db.query({ text: "INSERT INTO marks (name) VALUES ('kept')", values: [] }));
    const { rows } = await db.query<{ inTransaction: boolean }>({
      text: 'SELECT now() <> statement_timestamp() AS "inTransaction"',
      values: [],
    });
    expect(rows).toEqual([{ inTransaction: false }]);
    expect(await marks()).toEqual(['kept']);
  });

  it('fails a transaction whose COMMIT is not answered; the write is then ambiguous', async () => {
    // Act: everything but the COMMIT's answer gets through.
    const failed = await freezeAfterWriting('maybe');

    // Assess: the caller was told "failed" while the frozen server still held the COMMIT, which
    // it runs once thawed: only an idempotent retry can tell the two outcomes apart.
    expect(messageOf(failed.error)).toMatch(/Query read timeout/);
    expect(failed.ms).toBeLessThan(QUERY_TIMEOUT_MS + SLACK_MS);
    const deadline = Date.now() + 2_000;
    while ((await marks()).length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await marks()).toEqual(['maybe']);
  });

  it('answers ping() false within its timeout and keeps no stuck connection for it', async () => {
    // Prepare
    expect(await db.ping(500)).toBe(true);
    setup.proxy.freeze();

    // Act
    const started = performance.now();
    const up = await db.ping(500);
    const ms = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(up).toBe(false);
    expect(ms).toBeLessThan(500 + SLACK_MS);
    expect(db.pool.totalCount).toBe(0);
    setup.proxy.thaw();
    expect(await db.ping(2_000)).toBe(true);
  });

  it('fails opening a connection of its own (the LISTEN one) at the connect deadline', async () => {
    // Prepare
    setup.proxy.freeze();

    // Act
    const opening = await settle(db.newClient(), 5_000);
    setup.proxy.thaw();

    // Assess
    expect(messageOf(opening.error)).toMatch(/timeout|Connection terminated/);
    expect(opening.ms).toBeLessThan(CONNECT_TIMEOUT_MS + SLACK_MS);
    const client = await db.newClient();
    await client.end();
  });
});
