import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Database } from './database';
import { migrateDatabase } from './migrate';
import type { DatabaseCredentials } from './database.config';
import { EmbeddedPostgresServer } from './embedded/embedded-postgres.server';
import { connectionTarget, isAuthenticationFailure } from './pool-credentials';
import { testDatabaseConfig } from './testing';

/**
 * The shared test server trusts every local connection (any password passes), so these specs
 * run a server of their own that checks passwords (scram-sha-256), as Aurora and DSQL do.
 */
describe('Database with credentials asked per connection', () => {
  let workDir: string;
  let server: EmbeddedPostgresServer;
  let roleUrl: string;
  const open: Database[] = [];

  const admin = async (sql: string): Promise<void> => {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const setPassword = (password: string) =>
    admin(`ALTER ROLE tf_app PASSWORD '${password.replaceAll("'", "''")}'`);
  // Makes the pool open new connections: existing ones were authenticated when they opened.
  const dropConnections = async (db: Database): Promise<void> => {
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'tf_app'`);
    // The pool learns of it when the socket closes: until then it would hand out a dying one.
    while (db.pool.totalCount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  /** Credentials whose password is what `current` holds; counts what the pool asked for. */
  const counting = (initial: string, reread?: () => string) => {
    const seen = { passwords: 0, refreshes: 0, current: initial };
    const credentials: DatabaseCredentials = {
      password: () => {
        seen.passwords += 1;
        return Promise.resolve(seen.current);
      },
      ...(reread === undefined
        ? {}
        : {
            refresh: () => {
              seen.refreshes += 1;
              seen.current = reread();
              return Promise.resolve();
            },
          }),
    };
    return { seen, credentials };
  };

  const connect = async (
    credentials: DatabaseCredentials,
    overrides: Parameters<typeof testDatabaseConfig>[1] = {},
  ): Promise<Database> => {
    const db = await Database.connect(testDatabaseConfig(roleUrl, { credentials, ...overrides }));
    open.push(db);
    return db;
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tf-pool-credentials-'));
    // As root, PostgreSQL runs as `postgres`, which must traverse the folder.
    await chmod(workDir, 0o755);
    server = await EmbeddedPostgresServer.start({ dataDir: join(workDir, 'data') });
    await admin(`CREATE ROLE tf_app LOGIN PASSWORD 'first'`);
    // The migrations' ledger goes in public, as the application's role owns its schema.
    await admin(`GRANT CREATE ON SCHEMA public TO tf_app`);
    const url = new URL(server.url);
    url.username = 'tf_app';
    url.password = '';
    roleUrl = url.toString();
  }, 120_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.close()));
    await setPassword('first');
  });

  afterAll(async () => {
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('this server checks passwords: a wrong one is refused with 28P01', async () => {
    const { credentials } = counting('wrong');
    const failure: unknown = await connect(credentials).catch((error: unknown) => error);

    expect(isAuthenticationFailure(failure)).toBe(true);
  });

  it('asks for a password once per new connection, none for a reused one', async () => {
    const { seen, credentials } = counting('first');
    const db = await connect(credentials, { poolSize: 3 });
    // Three transactions at once hold three connections.
    let arrived = 0;
    let release: () => void = () => undefined;
    const allThere = new Promise<void>((resolve) => (release = resolve));
    const pids = await Promise.all(
      [1, 2, 3].map(() =>
        db.run(async () => {
          arrived += 1;
          if (arrived === 3) release();
          await allThere;
          return (
            await db.query<{ pid: number }>({ text: 'SELECT pg_backend_pid() AS pid', values: [] })
          ).rows[0]?.pid;
        }),
      ),
    );
    const afterBurst = seen.passwords;
    await db.query({ text: 'SELECT 1', values: [] });

    expect(new Set(pids).size).toBe(3);
    expect(afterBurst).toBe(3);
    expect(seen.passwords).toBe(3);
  });

  it.each([
    [
      'a statement on its own (pool.query)',
      (db: Database) => db.query({ text: 'SELECT 1', values: [] }),
    ],
    [
      'a transaction (pool.connect)',
      (db: Database) => db.run(() => db.query({ text: 'SELECT 1', values: [] })),
    ],
    ['a migration (TypeORM’s pool)', (db: Database) => migrateDatabase(db, [])],
  ])('after a rotation, %s re-reads the credentials once and succeeds', async (_way, work) => {
    const { seen, credentials } = counting('first', () => 'second');
    const db = await connect(credentials, { poolSize: 1 });
    await setPassword('second');
    await dropConnections(db);

    await expect(work(db)).resolves.toBeDefined();
    expect(seen.refreshes).toBe(1);
    // The connection that keeps serving was made with the re-read password.
    await expect(work(db)).resolves.toBeDefined();
    expect(seen.refreshes).toBe(1);
  });

  it('credentials still refused after a re-read fail with the server’s refusal, without looping', async () => {
    const { seen, credentials } = counting('first', () => 'still-wrong');
    const db = await connect(credentials, { poolSize: 1 });
    await setPassword('second');
    await dropConnections(db);

    const failure: unknown = await db
      .query({ text: 'SELECT 1', values: [] })
      .catch((error: unknown) => error);

    expect(isAuthenticationFailure(failure)).toBe(true);
    expect(seen.refreshes).toBe(1);
  });

  it('closes and replaces a connection older than maxConnectionLifetimeSeconds (DSQL ends them at 60 min)', async () => {
    const { seen, credentials } = counting('first');
    const db = await connect(credentials, { poolSize: 1, maxConnectionLifetimeSeconds: 1 });
    const pid = async () =>
      (await db.query<{ pid: number }>({ text: 'SELECT pg_backend_pid() AS pid', values: [] }))
        .rows[0]?.pid;
    const first = await pid();
    expect(await pid()).toBe(first);

    await new Promise((resolve) => setTimeout(resolve, 1_300));

    expect(await pid()).not.toBe(first);
    // A new connection, with a password (an IAM token) of its own.
    expect(seen.passwords).toBe(2);
  });

  it('LISTEN connections (newClient) get their password the same way', async () => {
    const { seen, credentials } = counting('first');
    const db = await connect(credentials);
    const before = seen.passwords;
    const client = await db.newClient();
    try {
      await expect(client.query('SELECT current_user AS who')).resolves.toMatchObject({
        rows: [{ who: 'tf_app' }],
      });
    } finally {
      await client.end();
    }
    expect(seen.passwords).toBe(before + 1);
  });
});

describe('connectionTarget', () => {
  const password = () => Promise.resolve('token');

  it('is empty without credentials: the URL carries everything', () => {
    expect(connectionTarget(testDatabaseConfig('postgres://u:p@h:1/d'))).toEqual({});
  });

  it.each([
    [
      'postgres://admin@abc.dsql.eu-west-1.on.aws/postgres',
      'abc.dsql.eu-west-1.on.aws',
      5432,
      'admin',
      'postgres',
    ],
    ['postgres://app%40x@[::1]:6432/my%20db', '::1', 6432, 'app@x', 'my db'],
    ['postgres://app@db.example.com:5433', 'db.example.com', 5433, 'app', 'postgres'],
  ])('takes %s apart, replacing the connection string', (url, host, port, user, database) => {
    const target = connectionTarget(testDatabaseConfig(url, { credentials: { password } }));

    expect(target).toMatchObject({ connectionString: undefined, host, port, user, database });
    expect(typeof target.password).toBe('function');
  });
});
