import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  FakeEventBridge,
  LAMBDA_ENV,
  SECRET_ARNS,
  lambdaContext,
} from '@taskflow/platform-testing';
import * as AWSXRay from 'aws-xray-sdk-core';
import { LambdaConfigError, MAX_CONNECTION_LIFETIME_SECONDS, loadLambdaConfig } from './config';
import { type InvocationRuntime, lambdaHandler } from './runtime';
import { createTelemetry } from './telemetry';
import { loadTracing, xrayQueryTracer } from './tracing';

const { database: DB_ARN, jwt: JWT_ARN } = SECRET_ARNS;
const DSQL_HOST = 'abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws';
/** Aurora with its credentials in Secrets Manager: no secret in the environment. */
const SECRET_MODE = {
  ...LAMBDA_ENV,
  DATABASE_AUTH: 'secret',
  DATABASE_SECRET_ARN: DB_ARN,
  JWT_SECRET: undefined,
  JWT_SECRET_ARN: JWT_ARN,
};
/** Aurora DSQL with IAM tokens. */
const DSQL_MODE = {
  ...SECRET_MODE,
  DATABASE_AUTH: 'dsql-iam',
  DATABASE_SECRET_ARN: undefined,
  DATABASE_URL: undefined,
  DSQL_ENDPOINT: DSQL_HOST,
};

describe('loadLambdaConfig', () => {
  it('reads a function’s environment with the schema’s defaults (no TLS with a URL)', () => {
    const config = loadLambdaConfig(
      {
        ...LAMBDA_ENV,
        EVENT_BUS_NAME: 'bus',
        AWS_LAMBDA_FUNCTION_NAME: 'fn',
        AWS_LAMBDA_LOG_STREAM_NAME: 'stream-1',
      },
      { events: true },
    );
    expect(config).toMatchObject({
      database: {
        poolSize: 10,
        statementTimeoutMs: 15_000,
        ssl: 'disable',
        dialect: 'postgres',
        connectTimeoutMs: 2_000,
        queryTimeoutMs: 2_000,
      },
      events: { busName: 'bus', source: 'taskflow.tasks', endpoint: null },
      instanceId: 'fn:stream-1',
      tracing: false,
    });
  });

  it.each([
    [{ ...LAMBDA_ENV, DATABASE_URL: undefined }, {}, /DATABASE_URL/],
    [{ ...LAMBDA_ENV, DATABASE_URL: 'mysql://x@y/z' }, {}, /DATABASE_URL/],
    [{ ...LAMBDA_ENV, JWT_SECRET: 'short' }, {}, /JWT_SECRET/],
    [
      { ...LAMBDA_ENV, JWT_SECRET: undefined },
      {},
      /JWT_SECRET_ARN is required \(JWT_SECRET for local runs\)/,
    ],
    [{ ...LAMBDA_ENV, JWT_SECRET_ARN: JWT_ARN }, {}, /JWT_SECRET_ARN or JWT_SECRET, not both/],
    [
      { ...LAMBDA_ENV, JWT_SECRET: undefined, JWT_SECRET_ARN: 'jwt' },
      {},
      /JWT_SECRET_ARN: must be a Secrets Manager secret ARN/,
    ],
    [{ ...LAMBDA_ENV, DATABASE_AUTH: 'password' }, {}, /DATABASE_AUTH/],
    [SECRET_MODE, {}, /DATABASE_URL is not used with DATABASE_AUTH=secret/],
    [
      { ...SECRET_MODE, DATABASE_URL: undefined, DATABASE_SECRET_ARN: undefined },
      {},
      /DATABASE_SECRET_ARN is required with DATABASE_AUTH=secret/,
    ],
    [
      { ...SECRET_MODE, DATABASE_URL: undefined, DATABASE_SECRET_ARN: 'db-secret' },
      {},
      /DATABASE_SECRET_ARN: must be a Secrets Manager secret ARN/,
    ],
    [
      { ...SECRET_MODE, DATABASE_URL: undefined, DATABASE_HOST: 'https://proxy/' },
      {},
      /DATABASE_HOST: must be a host name/,
    ],
    [
      { ...SECRET_MODE, DATABASE_URL: undefined, DSQL_ENDPOINT: DSQL_HOST },
      {},
      /DSQL_ENDPOINT is not used with DATABASE_AUTH=secret/,
    ],
    [
      { ...DSQL_MODE, DSQL_ENDPOINT: undefined },
      {},
      /DSQL_ENDPOINT is required with DATABASE_AUTH=dsql-iam/,
    ],
    [
      { ...DSQL_MODE, DSQL_ENDPOINT: `postgres://${DSQL_HOST}` },
      {},
      /DSQL_ENDPOINT: must be a host name/,
    ],
    [
      { ...DSQL_MODE, DATABASE_SSL: 'disable' },
      {},
      /DATABASE_SSL must be verify with DATABASE_AUTH=dsql-iam/,
    ],
    [{ ...DSQL_MODE, DATABASE_SSL: 'no-verify' }, {}, /DATABASE_SSL must be verify/],
    [{ ...DSQL_MODE, DATABASE_DIALECT: 'postgres' }, {}, /DATABASE_DIALECT must be dsql/],
    [
      { ...DSQL_MODE, DATABASE_SECRET_ARN: DB_ARN },
      {},
      /DATABASE_SECRET_ARN is not used with DATABASE_AUTH=dsql-iam/,
    ],
    [
      { ...LAMBDA_ENV, DATABASE_USER: 'admin' },
      {},
      /DATABASE_USER is not used with DATABASE_AUTH=url/,
    ],
    [{ ...LAMBDA_ENV, SECRETS_MANAGER_ENDPOINT: 'the local fake' }, {}, /SECRETS_MANAGER_ENDPOINT/],
    [LAMBDA_ENV, { events: true }, /EVENT_BUS_NAME is required/],
    [LAMBDA_ENV, { websocket: true }, /WEBSOCKET_CALLBACK_URL is required/],
    [{ ...LAMBDA_ENV, EVENT_SOURCE: 'task.management' }, {}, /EVENT_SOURCE must differ/],
    [{ ...LAMBDA_ENV, JWKS_URL: 'https://idp.example.com/jwks' }, {}, /JWKS_ISSUER/],
    [{ ...LAMBDA_ENV, DATABASE_POOL_SIZE: '0' }, {}, /DATABASE_POOL_SIZE/],
    [{ ...LAMBDA_ENV, DATABASE_POOL_SIZE: '21' }, {}, /DATABASE_POOL_SIZE must be at most 20/],
    [{ ...LAMBDA_ENV, AWS_REGION: undefined }, {}, /AWS_REGION is required/],
  ])('refuses %j (needs %j) naming the variable', (env, needs, message) => {
    expect(() => loadLambdaConfig(env, needs)).toThrow(LambdaConfigError);
    expect(() => loadLambdaConfig(env, needs)).toThrow(message);
  });

  it('keeps DATABASE_URL and JWT_SECRET for local runs, recycling connections before 60 minutes', () => {
    expect(loadLambdaConfig(LAMBDA_ENV)).toMatchObject({
      database: {
        source: { auth: 'url', url: LAMBDA_ENV.DATABASE_URL },
        maxConnectionLifetimeSeconds: MAX_CONNECTION_LIFETIME_SECONDS,
      },
      auth: { signingSecret: { value: LAMBDA_ENV.JWT_SECRET } },
    });
    expect(MAX_CONNECTION_LIFETIME_SECONDS).toBeLessThan(60 * 60);
  });

  it('DATABASE_AUTH=secret names the secrets by ARN, the values stay in Secrets Manager', () => {
    const config = loadLambdaConfig({
      ...SECRET_MODE,
      DATABASE_URL: undefined,
      DATABASE_HOST: 'taskflow.proxy-abc.eu-west-1.rds.amazonaws.com',
      SECRETS_MANAGER_ENDPOINT: 'http://127.0.0.1:4566',
    });

    expect(config).toMatchObject({
      database: {
        source: {
          auth: 'secret',
          secretArn: DB_ARN,
          host: 'taskflow.proxy-abc.eu-west-1.rds.amazonaws.com',
        },
        ssl: 'verify',
        dialect: 'postgres',
      },
      auth: { signingSecret: { secretArn: JWT_ARN } },
      secretsManager: { endpoint: 'http://127.0.0.1:4566' },
    });
    expect(loadLambdaConfig({ ...SECRET_MODE, DATABASE_URL: undefined }).database.source).toEqual({
      auth: 'secret',
      secretArn: DB_ARN,
      host: null,
    });
  });

  it.each([
    [undefined, 'admin'],
    ['taskflow_app', 'taskflow_app'],
  ])(
    'DATABASE_AUTH=dsql-iam with DATABASE_USER=%s: user %s on port 5432, database postgres, TLS verified, dsql dialect',
    (user, expected) => {
      const config = loadLambdaConfig({ ...DSQL_MODE, DATABASE_USER: user });

      expect(config.database).toMatchObject({
        source: {
          auth: 'dsql-iam',
          endpoint: DSQL_HOST,
          port: 5432,
          user: expected,
          database: 'postgres',
        },
        ssl: 'verify',
        dialect: 'dsql',
      });
    },
  );

  it('lets the migrator run without JWT_SECRET', () => {
    expect(
      loadLambdaConfig({ ...LAMBDA_ENV, JWT_SECRET: undefined }, { auth: false }).auth,
    ).toBeNull();
  });

  it('turns tracing on where Lambda active tracing set the daemon address', () => {
    expect(
      loadLambdaConfig({ ...LAMBDA_ENV, AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000' }).tracing,
    ).toBe(true);
  });
});

describe('lambdaHandler', () => {
  const quiet = (): InvocationRuntime => {
    const telemetry = createTelemetry('spec');
    telemetry.logger.setLogLevel('SILENT');
    return { telemetry };
  };

  it('retries a failed cold start at the next invocation instead of failing forever', async () => {
    let attempts = 0;
    const runtime = quiet();
    const { handler } = lambdaHandler(
      () => {
        attempts += 1;
        if (attempts === 1) throw new Error('database not reachable yet');
        return Promise.resolve(runtime);
      },
      () => Promise.resolve('served'),
    );

    await expect(handler({}, lambdaContext())).rejects.toThrow('database not reachable yet');
    await expect(handler({}, lambdaContext())).resolves.toBe('served');
    await expect(handler({}, lambdaContext())).resolves.toBe('served');
    expect(attempts).toBe(2);
  });

  it('drains the relay’s fast path before returning, even when the work failed', async () => {
    const drained: string[] = [];
    const runtime = {
      ...quiet(),
      relay: {
        drain: () => {
          drained.push('drained');
          return Promise.resolve();
        },
      },
    } as unknown as InvocationRuntime;
    const { handler } = lambdaHandler(
      () => Promise.resolve(runtime),
      (_runtime, event: { fail: boolean }) =>
        event.fail ? Promise.reject(new Error('refused')) : Promise.resolve('ok'),
    );

    await expect(handler({ fail: false }, lambdaContext())).resolves.toBe('ok');
    await expect(handler({ fail: true }, lambdaContext())).rejects.toThrow('refused');
    expect(drained).toEqual(['drained', 'drained']);
  });
});

describe('X-Ray', () => {
  const inSegment = async <T>(work: (segment: AWSXRay.Segment) => Promise<T>): Promise<T> => {
    const segment = new AWSXRay.Segment('spec');
    return AWSXRay.getNamespace().runAndReturn<Promise<T>>(() => {
      AWSXRay.setSegment(segment);
      return work(segment);
    });
  };

  beforeAll(() => {
    AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
    // Nothing is sent anywhere: segments are inspected in memory.
    AWSXRay.setDaemonAddress('127.0.0.1:9');
  });

  it('records one subsegment per statement, with SQL data and never the password', async () => {
    const trace = xrayQueryTracer(AWSXRay, LAMBDA_ENV.DATABASE_URL);
    await inSegment(async (segment) => {
      await expect(trace('tf_task_get', () => Promise.resolve(1))).resolves.toBe(1);
      await expect(trace('SELECT *', () => Promise.reject(new Error('boom')))).rejects.toThrow(
        'boom',
      );

      const [ok, failed] = segment.subsegments ?? [];
      expect(ok).toMatchObject({ name: 'taskflow@db.example.com', namespace: 'remote' });
      expect(JSON.stringify(ok)).toContain('tf_task_get');
      expect(JSON.stringify(segment)).not.toContain('s3cret');
      expect(failed).toMatchObject({ fault: true });
    });
  });

  it('runs the statement untraced outside any segment (cold start, tests)', async () => {
    const trace = xrayQueryTracer(AWSXRay, LAMBDA_ENV.DATABASE_URL);
    await expect(trace('q', () => Promise.resolve('plain'))).resolves.toBe('plain');
  });

  it('without active tracing, adds no wrapper to SQL statements at all', async () => {
    expect((await loadTracing(false)).queries).toBeUndefined();
  });

  it('traces the EventBridge client’s calls when enabled, and leaves it alone when not', async () => {
    const bus = await FakeEventBridge.start();
    try {
      const client = () =>
        new EventBridgeClient({
          region: 'eu-west-1',
          endpoint: bus.url,
          credentials: { accessKeyId: 'k', secretAccessKey: 's' },
        });
      const send = (c: EventBridgeClient) =>
        c.send(
          new PutEventsCommand({
            Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'b' }],
          }),
        );
      const tracing = await loadTracing(true);
      const traced = await inSegment(async (segment) => {
        await send(tracing.client(client()));
        return segment.subsegments ?? [];
      });
      expect(traced.map((s) => s.name)).toEqual(['EventBridge']);

      const untraced = await inSegment(async (segment) => {
        await send((await loadTracing(false)).client(client()));
        return segment.subsegments ?? [];
      });
      expect(untraced).toEqual([]);
    } finally {
      await bus.stop();
    }
  });
});
