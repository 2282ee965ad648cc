import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type FunctionTestbed, eventBusEnv, functionTestbed } from '@taskflow/app-testing';
import {
  FakeEventBridge,
  FakeSecretsManager,
  apiGatewayProxyEvent,
  invokeBundle,
  lambdaContext,
} from '@taskflow/platform-testing';
import type { APIGatewayProxyResult } from 'aws-lambda';

const SECRET = 'lambda-api-spec-secret-0123456789abcdef';

describe('api Lambda (API Gateway REST proxy)', () => {
  let bed: FunctionTestbed;
  let bus: FakeEventBridge;
  let main: typeof import('./main');
  let token: string;

  const call = async (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<APIGatewayProxyResult & { json: Record<string, unknown> }> => {
    const result = await main.handler(
      apiGatewayProxyEvent({
        method,
        path,
        headers: { Authorization: `Bearer ${token}`, ...options.headers },
        body: options.body,
      }),
      lambdaContext('taskflow-api'),
    );
    return {
      ...result,
      json: result.body === '' ? {} : (JSON.parse(result.body) as Record<string, unknown>),
    };
  };

  beforeAll(async () => {
    bus = await FakeEventBridge.start();
    bed = await functionTestbed('api', {
      JWT_SECRET: SECRET,
      CORS_ALLOWED_ORIGINS: 'https://board.example',
      ...eventBusEnv(bus),
    });
    main = await import('./main');
    const { core } = await main.ready();
    const user = await core.users.ensureByEmail({ email: 'ada@example.com', name: 'Ada' }, null);
    token = await core.tokens.issue(user, 3600);
  });

  afterAll(async () => {
    await (await main.ready()).close();
    await bed.stop();
    await bus.stop();
  });

  it('serves the same API as the host: create a project and a task, read it back', async () => {
    const project = await call('POST', '/projects', { body: { name: 'Lambda' } });
    expect(project.statusCode).toBe(201);
    const task = await call('POST', '/tasks', {
      body: { projectId: project.json['id'], title: 'From API Gateway' },
    });
    expect(task.statusCode).toBe(201);
    expect(task.headers?.['etag']).toBe('"1"');

    const read = await call('GET', `/tasks/${String(task.json['id'])}`);
    expect(read.statusCode).toBe(200);
    expect(read.json['title']).toBe('From API Gateway');
  });

  it('publishes a command’s events before returning, with API Gateway’s request id as correlation id', async () => {
    const event = apiGatewayProxyEvent({
      method: 'POST',
      path: '/projects',
      headers: { Authorization: `Bearer ${token}` },
      body: { name: 'Correlated' },
    });
    const before = bus.received.length;
    const result = await main.handler(event, lambdaContext('taskflow-api'));

    expect(result.statusCode).toBe(201);
    expect(result.headers?.['x-request-id']).toBe(event.requestContext.requestId);
    // Already on the bus when the handler returned: Lambda freezes the process afterwards.
    const published = bus.received
      .slice(before)
      .map((e) => JSON.parse(e.entry.Detail ?? '{}') as Record<string, unknown>);
    expect(published.map((e) => [e['type'], e['correlationId']])).toEqual([
      ['project.created', event.requestContext.requestId],
      ['project.member_added', event.requestContext.requestId],
    ]);
    expect(bus.received[before]?.entry).toMatchObject({
      Source: 'taskflow.tasks',
      DetailType: 'Project Created',
      EventBusName: 'taskflow-test',
    });
  });

  it('answers CORS as the host does: preflights and Access-Control-* from CORS_ALLOWED_ORIGINS', async () => {
    const origin = 'https://board.example';
    const preflight = await call('OPTIONS', '/tasks', {
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers?.['access-control-allow-origin']).toBe(origin);
    expect(preflight.headers?.['access-control-allow-methods']).toContain('POST');
    const read = await call('GET', '/users/me', { headers: { Origin: origin } });
    expect(read.headers?.['access-control-allow-origin']).toBe(origin);
    expect(read.headers?.['access-control-expose-headers']).toContain('ETag');
    const other = await call('GET', '/users/me', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers?.['access-control-allow-origin']).toBeUndefined();
  });

  it('answers HEAD like GET, with the length of the body it leaves out', async () => {
    const get = await call('GET', '/users/me');
    const head = await call('HEAD', '/users/me');
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers?.['content-length']).toBe(String(Buffer.byteLength(get.body)));
  });

  it('keeps a caller’s X-Request-Id', async () => {
    const result = await call('GET', '/health', { headers: { 'X-Request-Id': 'caller-chosen-1' } });
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['x-request-id']).toBe('caller-chosen-1');
  });

  it('answers bad input with a problem naming the field, and a bad token with 401', async () => {
    const invalid = await call('POST', '/tasks', { body: { title: '' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers?.['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(invalid.json)).toContain('projectId');

    const unauthenticated = await call('GET', '/tasks', {
      headers: { Authorization: 'Bearer not-a-token' },
    });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('has no development sign-in: POST /dev/sign-in is 404 and not documented', async () => {
    const signIn = await call('POST', '/dev/sign-in', {
      body: { name: 'Eve', email: 'eve@example.com' },
    });
    const document = await call('GET', '/openapi.json');

    expect(signIn.statusCode).toBe(404);
    expect(Object.keys((document.json as { paths: object }).paths)).not.toContain('/dev/sign-in');
  });

  it('answers a hand-written event with missing maps (aws lambda invoke) instead of crashing', async () => {
    const result = await main.handler(
      { httpMethod: 'GET', path: '/health' } as never,
      lambdaContext('taskflow-api'),
    );
    expect(result.statusCode).toBe(200);
  });

  it('the built bundle loads in a fresh process and serves a request, logging JSON and EMF metrics', async () => {
    const run = await invokeBundle(
      bed.bundle,
      [
        apiGatewayProxyEvent({
          method: 'POST',
          path: '/projects',
          headers: { Authorization: `Bearer ${token}`, 'X-Request-Id': 'bundle-run-1' },
          body: { name: 'Bundled' },
        }),
        // Idempotent: the command and its stored response share a transaction (a QueryRunner).
        ...[1, 2].map(() =>
          apiGatewayProxyEvent({
            method: 'POST',
            path: '/projects',
            headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': 'bundle-run-key' },
            body: { name: 'Bundled once' },
          }),
        ),
      ],
      bed.env,
      { functionName: 'taskflow-api' },
    );

    expect(run.invocations).toEqual([
      expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 201 }) }),
      expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 201 }) }),
      expect.objectContaining({
        ok: true,
        value: expect.objectContaining({
          statusCode: 201,
          headers: expect.objectContaining({ 'idempotent-replayed': 'true' }),
        }),
      }),
    ]);
    const requestLog = run.logs.find((line) => line['message'] === 'request');
    expect(requestLog).toMatchObject({
      level: 'INFO',
      service: 'taskflow-api',
      correlation_id: 'bundle-run-1',
      status: 201,
      function_name: 'taskflow-api',
      cold_start: true,
    });
    const emf = run.logs.filter((line) => '_aws' in line);
    // project.created and project.member_added, on the fast path.
    expect(emf.some((line) => line['EventsPublished'] === 2)).toBe(true);
    expect(emf.some((line) => line['ColdStart'] === 1)).toBe(true);
  });

  it('the built bundle reads its database and JWT secrets from Secrets Manager once, at cold start', async () => {
    const secrets = await FakeSecretsManager.start();
    // A role of its own, whose password only the secret holds: a server that checks passwords
    // (the embedded one in CI) admits the bundle only with what it read from Secrets Manager.
    const role = `tf_api_${randomBytes(6).toString('hex')}`;
    const password = `pw-${randomUUID()}`;
    const admin = (text: string) => bed.persistence.db.query({ text, values: [] });
    await admin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    await admin(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await admin(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
    try {
      const target = new URL(bed.database.url);
      const database = secrets.createSecret(
        'taskflow/database',
        JSON.stringify({
          username: role,
          password,
          host: target.hostname,
          port: Number(target.port),
          dbname: target.pathname.slice(1),
          engine: 'postgres',
        }),
      );
      const jwt = secrets.createSecret('taskflow/jwt', SECRET);
      // As on AWS: neither the database password nor the signing secret in the environment.
      const rest = Object.fromEntries(
        Object.entries(bed.env).filter(
          ([name]) => name !== 'DATABASE_URL' && name !== 'JWT_SECRET',
        ),
      );
      const me = apiGatewayProxyEvent({
        method: 'GET',
        path: '/users/me',
        headers: { Authorization: `Bearer ${token}` },
      });

      const run = await invokeBundle(
        bed.bundle,
        [me, me],
        {
          ...rest,
          DATABASE_AUTH: 'secret',
          DATABASE_SECRET_ARN: database.arn,
          JWT_SECRET_ARN: jwt.arn,
          SECRETS_MANAGER_ENDPOINT: secrets.url,
        },
        { functionName: 'taskflow-api' },
      );

      // The token was signed with SECRET: verified, so the bundle holds the secret's value.
      expect(run.invocations).toEqual([
        expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 200 }) }),
        expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 200 }) }),
      ]);
      expect(secrets.callsFor(database.arn)).toHaveLength(1);
      expect(secrets.callsFor(jwt.arn)).toHaveLength(1);
      // Never logged: neither value appears in anything the function wrote.
      const output = JSON.stringify(run.logs) + run.otherOutput;
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(password);
    } finally {
      await secrets.stop();
      await admin(`DROP OWNED BY ${role}`);
      await admin(`DROP ROLE ${role}`);
    }
  });

  it('the built bundle stays within the cold-start budget: at most 1.0 MB, and no TypeORM (only the migrator migrates)', () => {
    const bundle = join(dirname(bed.bundle), 'main.js');
    const source = readFileSync(bundle, 'utf8');

    expect(statSync(bundle).size).toBeLessThanOrEqual(1_000_000);
    expect(source).not.toContain('typeorm/');
    expect(source).not.toContain('is left out of the Lambda bundles');
  });

  it('the built bundle has no import() of a module: its code-cache entry (vm.Script) could not run one', () => {
    const source = readFileSync(join(dirname(bed.bundle), 'main.js'), 'utf8');

    expect(source).not.toMatch(/\bimport\(\s*["'`]/);
  });

  it('a bundle whose configuration is invalid fails every invocation with the reason', async () => {
    const run = await invokeBundle(
      bed.bundle,
      [apiGatewayProxyEvent({ method: 'GET', path: '/health' })],
      { ...bed.env, JWT_SECRET: 'short' },
    );
    expect(run.invocations).toEqual([
      expect.objectContaining({
        ok: false,
        error: expect.objectContaining({ message: expect.stringContaining('JWT_SECRET') }),
      }),
    ]);
  });
});
