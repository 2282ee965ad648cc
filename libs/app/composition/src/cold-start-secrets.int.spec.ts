import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgresServer } from '@taskflow/platform-postgres';
import { FakeSecretsManager, type FakeSecret } from '@taskflow/platform-testing';
import {
  type LambdaConfig,
  createTelemetry,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import { Client, type PoolClient } from 'pg';
import { type LambdaRuntime, openLambdaPersistence, openLambdaRuntime } from './lambda-runtime';
import { migrate } from './migrate';

const JWT_VALUE = 'jwt-signing-secret-from-secrets-manager-0123456789';
const DATABASE = 'tf_cold_start';
const ROLE = 'tf_app';

/**
 * The cold start of a function configured as on AWS (`DATABASE_AUTH=secret`, `JWT_SECRET_ARN`):
 * the real Secrets Manager client against a local fake speaking its wire protocol, and a
 * PostgreSQL server of its own that checks passwords (the shared test server trusts every
 * local connection, so it would accept a stale password and prove nothing).
 */
describe('cold start with secrets from Secrets Manager', () => {
  let workDir: string;
  let server: EmbeddedPostgresServer;
  let fake: FakeSecretsManager;
  let dbSecret: FakeSecret;
  let jwtSecret: FakeSecret;
  const savedEnv = { ...process.env };
  const opened: { close(): Promise<void> }[] = [];

  const admin = async (sql: string, database = 'postgres'): Promise<void> => {
    const url = new URL(server.url);
    url.pathname = `/${database}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const rdsSecret = (password: string): string =>
    JSON.stringify({
      username: ROLE,
      password,
      host: '127.0.0.1',
      port: server.port,
      dbname: DATABASE,
      engine: 'postgres',
    });
  /** A rotation as the single-user rotation function makes it: database first, then the secret. */
  const rotate = async (password: string): Promise<void> => {
    await admin(`ALTER ROLE ${ROLE} PASSWORD '${password}'`);
    fake.rotate(dbSecret.arn, rdsSecret(password));
  };
  // Connections already open stay authenticated; new ones (a recycled one, a second request at
  // once, a new execution environment) log in with whatever password the function holds.
  const dropConnections = async (runtime: LambdaRuntime): Promise<void> => {
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${ROLE}'`);
    // The pool learns of it when the socket closes: until then it would hand out a dying one.
    while (runtime.persistence.db.pool.totalCount > 0)
      await new Promise((resolve) => setTimeout(resolve, 5));
  };

  const env = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
    DATABASE_AUTH: 'secret',
    DATABASE_SECRET_ARN: dbSecret.arn,
    DATABASE_SSL: 'disable',
    JWT_SECRET_ARN: jwtSecret.arn,
    SECRETS_MANAGER_ENDPOINT: fake.url,
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: 'taskflow-cold-start',
    ...overrides,
  });
  const open = async (config: LambdaConfig): Promise<LambdaRuntime> => {
    const telemetry = createTelemetry('cold-start-spec');
    telemetry.logger.setLogLevel('SILENT');
    const runtime = await openLambdaRuntime(config, telemetry);
    opened.push(runtime);
    return runtime;
  };
  const serve = async (runtime: LambdaRuntime, email: string) =>
    runtime.core.users.ensureByEmail({ email, name: 'Ada' }, null);

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tf-cold-start-'));
    // As root, PostgreSQL runs as `postgres`, which must traverse the folder.
    await chmod(workDir, 0o755);
    server = await EmbeddedPostgresServer.start({ dataDir: join(workDir, 'data') });
    await admin(`CREATE ROLE ${ROLE} LOGIN PASSWORD 'first'`);
    await admin(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
    // The SDK's default credential chain reads these: the execution role's, on AWS.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test' });
    fake = await FakeSecretsManager.start();
    dbSecret = fake.createSecret('taskflow/database', rdsSecret('first'));
    jwtSecret = fake.createSecret('taskflow/jwt', JWT_VALUE);
    // The schema, as the migrator applies it: the same configuration, without JWT.
    const migrator = await openLambdaPersistence(
      loadLambdaConfig(env({ JWT_SECRET_ARN: undefined }), { auth: false }),
    );
    try {
      await migrate(migrator);
    } finally {
      await migrator.close();
    }
  }, 120_000);

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((runtime) => runtime.close()));
    await rotate('first');
  });

  afterAll(async () => {
    process.env = savedEnv;
    await fake.stop();
    await server.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('reads both secrets once at cold start, then serves without asking again', async () => {
    const before = {
      db: fake.callsFor(dbSecret.arn).length,
      jwt: fake.callsFor(jwtSecret.arn).length,
    };
    const runtime = await open(loadLambdaConfig(env()));
    for (const n of [1, 2, 3]) await serve(runtime, `ada${String(n)}@example.com`);
    const user = await serve(runtime, 'ada1@example.com');
    const token = await runtime.core.tokens.issue(user, 60);

    expect(fake.callsFor(dbSecret.arn).length - before.db).toBe(1);
    expect(fake.callsFor(jwtSecret.arn).length - before.jwt).toBe(1);
    // The tokens it issues are signed with the secret's value (HS256 over header.payload).
    const { createHmac } = await import('node:crypto');
    const [header, payload, signature] = token.split('.');
    expect(
      createHmac('sha256', JWT_VALUE)
        .update(`${header ?? ''}.${payload ?? ''}`)
        .digest('base64url'),
    ).toBe(signature);
  });

  it('keeps serving through a rotation: a refused login re-reads the secret once and retries', async () => {
    const runtime = await open(loadLambdaConfig(env({ DATABASE_POOL_SIZE: '2' })));
    await serve(runtime, 'before@example.com');
    const reads = fake.callsFor(dbSecret.arn).length;

    await rotate('second');
    // Still on the connection opened with the old password: no re-read needed.
    await serve(runtime, 'during@example.com');
    expect(fake.callsFor(dbSecret.arn)).toHaveLength(reads);

    await dropConnections(runtime);
    // Two requests at once need two new connections; both are refused, one re-read serves both.
    await Promise.all([serve(runtime, 'after1@example.com'), serve(runtime, 'after2@example.com')]);
    expect(fake.callsFor(dbSecret.arn)).toHaveLength(reads + 1);

    await rotate('third');
    await dropConnections(runtime);
    await serve(runtime, 'again@example.com');
    expect(fake.callsFor(dbSecret.arn)).toHaveLength(reads + 2);
  });

  it('a new execution environment after the rotation reads the new secret at its cold start', async () => {
    await rotate('second');
    const runtime = await open(loadLambdaConfig(env()));

    await expect(serve(runtime, 'fresh@example.com')).resolves.toBeDefined();
  });

  it('DATABASE_AUTH=dsql-iam: every new connection logs in with a token of its own, none is reused', async () => {
    const loaded = loadLambdaConfig(
      {
        DATABASE_AUTH: 'dsql-iam',
        DSQL_ENDPOINT: 'abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws',
        DATABASE_USER: ROLE,
        DATABASE_POOL_SIZE: '3',
        AWS_REGION: 'eu-west-1',
      },
      { auth: false },
    );
    // Here the cluster is the local server, reached without TLS; the rest is as configured.
    const config: LambdaConfig = {
      ...loaded,
      database: {
        ...loaded.database,
        source: {
          auth: 'dsql-iam',
          endpoint: '127.0.0.1',
          port: server.port,
          user: ROLE,
          database: DATABASE,
        },
        ssl: 'disable',
      },
    };
    const asked: { endpoint: string; region: string; user: string }[] = [];
    let signed = 0;
    // The server reads the role's password before it asks for one: the role gets the next
    // token as its password before each login, so only a token made for that login passes.
    const expectNextToken = () =>
      admin(`ALTER ROLE ${ROLE} PASSWORD 'token-${String(signed + 1)}'`);
    await expectNextToken();
    const persistence = await openLambdaPersistence(config, undefined, {
      dsqlTokens: (target) => {
        asked.push(target);
        return () => {
          signed += 1;
          return Promise.resolve(`token-${String(signed)}`);
        };
      },
    });
    opened.push(persistence);
    const { db } = persistence;
    // Three held at once: the one opened at start-up, then two new ones.
    const held: PoolClient[] = [];
    let pids: (number | undefined)[];
    try {
      for (let n = 0; n < 3; n++) {
        await expectNextToken();
        held.push(await db.pool.connect());
      }
      pids = await Promise.all(
        held.map(
          async (client) =>
            (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid,
        ),
      );
    } finally {
      // A connection still checked out would keep the pool's close() waiting.
      for (const client of held) client.release();
    }
    await db.query({ text: 'SELECT 1', values: [] });

    expect(asked).toEqual([{ endpoint: '127.0.0.1', region: 'eu-west-1', user: ROLE }]);
    expect(new Set(pids).size).toBe(3);
    // One token per connection opened (a stale one would have been refused), none for reuse.
    expect(signed).toBe(3);
  });

  it.each([
    ['not JSON', 'plain-s3cr3t-value', /is not JSON/],
    [
      'without a password',
      JSON.stringify({ username: ROLE, host: 'h', port: 1 }),
      /check password/,
    ],
    [
      'with a port that is no port',
      JSON.stringify({ username: ROLE, password: 'pw-s3cr3t-value', host: 'h', port: 'x' }),
      /check port/,
    ],
  ])(
    'a database secret %s fails the cold start naming the field, never a value',
    async (_c, value, message) => {
      const broken = fake.createSecret(`taskflow/broken-${String(fake.calls.length)}`, value);
      const failure = open(loadLambdaConfig(env({ DATABASE_SECRET_ARN: broken.arn })));

      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toThrow(/DATABASE_SECRET_ARN/);
      await expect(failure).rejects.not.toThrow(/s3cr3t/);
    },
  );

  it('a secret without a host needs DATABASE_HOST (RDS-managed secrets hold only user and password)', async () => {
    const managed = fake.createSecret(
      'taskflow/managed',
      JSON.stringify({ username: ROLE, password: 'first', port: server.port, dbname: DATABASE }),
    );

    await expect(open(loadLambdaConfig(env({ DATABASE_SECRET_ARN: managed.arn })))).rejects.toThrow(
      /no host: set DATABASE_HOST/,
    );
    const proxied = await open(
      loadLambdaConfig(env({ DATABASE_SECRET_ARN: managed.arn, DATABASE_HOST: '127.0.0.1' })),
    );
    await expect(serve(proxied, 'proxied@example.com')).resolves.toBeDefined();
  });

  it.each([
    [
      'a JWT secret shorter than 32 characters',
      { JWT_SECRET_ARN: 'short' },
      /at least 32 characters/,
    ],
    ['an unknown secret', { DATABASE_SECRET_ARN: 'missing' }, /ResourceNotFoundException/],
  ])('%s fails the cold start with the variable’s name', async (_case, secrets, message) => {
    const short = fake.createSecret(`taskflow/short-${String(fake.calls.length)}`, 'too-short');
    const arns = Object.fromEntries(
      Object.entries(secrets).map(([name, kind]) => [
        name,
        kind === 'short'
          ? short.arn
          : `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${kind}-AbCdEf`,
      ]),
    );
    const failure = open(loadLambdaConfig(env(arns)));

    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(Object.keys(secrets)[0] ?? '');
  });
});
