import { LAMBDA_ENV, SECRET_ARNS } from '@taskflow/platform-testing';
import { ConfigError } from './config.error';
import { CONFIG_SECTIONS, type ConfigSection } from './config.schema';
import { configVariableNames, parseEnvironment } from './parse-environment';

const { database: DB_ARN, jwt: JWT_ARN } = SECRET_ARNS;

describe('the configuration schema', () => {
  it('names each variable in one section only, with a description', () => {
    const sections: Readonly<Record<string, ConfigSection>> = CONFIG_SECTIONS;
    const names = Object.values(sections).flatMap((section) => Object.keys(section.variables));

    expect(new Set(names).size).toBe(names.length);
    for (const section of Object.values(sections))
      for (const spec of Object.values(section.variables))
        expect(spec.description.length).toBeGreaterThan(10);
  });

  it('gives the Lambdas the variables the CDK app may set, and none of the host’s own', () => {
    const lambda = configVariableNames('lambda');

    expect(lambda).toEqual(
      expect.arrayContaining(['DATABASE_AUTH', 'JWT_SECRET_ARN', 'EVENT_BUS_NAME', 'AWS_REGION']),
    );
    for (const hostOnly of ['PORT', 'HTTP_REQUEST_TIMEOUT_MS', 'TASKFLOW_DATA_DIR', 'AWS_PROFILE'])
      expect(lambda).not.toContain(hostOnly);
    for (const lambdaOnly of ['DATABASE_AUTH', 'JWT_SECRET_ARN', 'WEBSOCKET_CALLBACK_URL'])
      expect(configVariableNames('host')).not.toContain(lambdaOnly);
  });
});

describe('parseEnvironment', () => {
  it('gives the host and a function the same defaults where they read the same variable', () => {
    const host = parseEnvironment({}, { entry: 'host' });
    const lambda = parseEnvironment(LAMBDA_ENV, { entry: 'lambda' });

    expect(host.auth).toMatchObject({ JWT_ISSUER: 'taskflow', JWT_AUDIENCE: 'taskflow' });
    expect(lambda.auth).toMatchObject({ JWT_ISSUER: 'taskflow', JWT_AUDIENCE: 'taskflow' });
    const database = {
      DATABASE_POOL_SIZE: 10,
      DATABASE_STATEMENT_TIMEOUT_MS: 15_000,
      DATABASE_CONNECT_TIMEOUT_MS: 2_000,
      DATABASE_QUERY_TIMEOUT_MS: 2_000,
      DATABASE_SSL: 'disable',
      DATABASE_DIALECT: 'postgres',
    };
    expect(host.database).toMatchObject(database);
    expect(lambda.database).toMatchObject(database);
    expect(host.aws.AWS_REGION).toBe('local');
    expect(host.events.EVENT_SOURCE).toBe(lambda.events.EVENT_SOURCE);
  });

  it('takes the host’s defaults under the environment, and an empty variable as unset', () => {
    const env = parseEnvironment(
      { LOG_LEVEL: 'debug', PORT: '' },
      { entry: 'host', defaults: { LOG_LEVEL: 'warn', TASKFLOW_DEMO_TOKEN: 'false' } },
    );

    expect(env.local).toMatchObject({ LOG_LEVEL: 'debug', TASKFLOW_DEMO_TOKEN: false });
    expect(env.http.PORT).toBe(3000);
  });

  it('leaves out the sections an entry point does not take', () => {
    const host: Readonly<Record<string, unknown>> = parseEnvironment(
      { DATABASE_AUTH: 'secret', WEBSOCKET_CALLBACK_URL: 'not a url' },
      { entry: 'host' },
    );
    const lambda: Readonly<Record<string, unknown>> = parseEnvironment(
      { ...LAMBDA_ENV, PORT: 'abc' },
      { entry: 'lambda' },
    );

    expect(Object.keys(host)).not.toEqual(expect.arrayContaining(['databaseAccess']));
    expect(Object.keys(lambda)).not.toEqual(expect.arrayContaining(['http']));
  });

  it.each([
    ['url', LAMBDA_ENV, 'disable', 'postgres'],
    [
      'secret',
      {
        ...LAMBDA_ENV,
        DATABASE_URL: undefined,
        DATABASE_AUTH: 'secret',
        DATABASE_SECRET_ARN: DB_ARN,
      },
      'verify',
      'postgres',
    ],
    [
      'dsql-iam',
      {
        ...LAMBDA_ENV,
        DATABASE_URL: undefined,
        DATABASE_AUTH: 'dsql-iam',
        DSQL_ENDPOINT: 'abcdefghijklmnopqrstuvwxyz.dsql.eu-west-1.on.aws',
      },
      'verify',
      'dsql',
    ],
  ])('DATABASE_AUTH=%s: TLS %s and dialect %s unless set', (_mode, env, ssl, dialect) => {
    expect(parseEnvironment(env, { entry: 'lambda' }).database).toMatchObject({
      DATABASE_SSL: ssl,
      DATABASE_DIALECT: dialect,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^invalid configuration: PORT: /],
    [{ EVENT_SOURCE: 'task.management' }, /EVENT_SOURCE must differ from task.management/],
    [{ JWKS_URL: 'https://idp.example.com/jwks' }, /JWKS_ISSUER is required with JWKS_URL/],
    [
      { HTTP_HEADERS_TIMEOUT_MS: '40000' },
      /HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/,
    ],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET: JWT_SECRET must be at least 32 characters/],
  ])('refuses the host %j', (env, message) => {
    expect(() => parseEnvironment(env, { entry: 'host' })).toThrow(ConfigError);
    expect(() => parseEnvironment(env, { entry: 'host' })).toThrow(message);
  });

  it.each([
    [{ ...LAMBDA_ENV, AWS_REGION: undefined }, {}, /AWS_REGION is required/],
    [{ ...LAMBDA_ENV, DATABASE_POOL_SIZE: '21' }, {}, /DATABASE_POOL_SIZE must be at most 20/],
    [{ ...LAMBDA_ENV, JWT_SECRET_ARN: JWT_ARN }, {}, /set JWT_SECRET_ARN or JWT_SECRET, not both/],
    [{ ...LAMBDA_ENV, JWT_SECRET: undefined }, {}, /JWT_SECRET_ARN is required/],
    [LAMBDA_ENV, { events: true }, /EVENT_BUS_NAME is required/],
    [LAMBDA_ENV, { websocket: true }, /WEBSOCKET_CALLBACK_URL is required/],
  ])('refuses the function %j (needs %j)', (env, needs, message) => {
    expect(() => parseEnvironment(env, { entry: 'lambda', needs })).toThrow(message);
  });

  it('reports every broken rule at once, never a value', () => {
    const parse = () =>
      parseEnvironment(
        {
          ...LAMBDA_ENV,
          DATABASE_AUTH: 'secret',
          EVENT_SOURCE: 'task.management',
          JWKS_URL: 'https://idp.example.com/jwks',
        },
        { entry: 'lambda', needs: { events: true } },
      );

    expect(parse).toThrow(
      'invalid configuration: DATABASE_URL is not used with DATABASE_AUTH=secret; ' +
        'DATABASE_SECRET_ARN is required with DATABASE_AUTH=secret (the credentials’ secret in Secrets Manager); ' +
        'EVENT_SOURCE must differ from task.management (our own events would loop into the processor); ' +
        'JWKS_ISSUER is required with JWKS_URL; ' +
        'EVENT_BUS_NAME is required (this function publishes events)',
    );
    expect(parse).not.toThrow(/s3cret/);
  });

  it('lets a function without auth need run without a signing secret', () => {
    expect(
      parseEnvironment(
        { ...LAMBDA_ENV, JWT_SECRET: undefined },
        { entry: 'lambda', needs: { auth: false } },
      ).auth.JWT_SECRET,
    ).toBeUndefined();
  });
});
