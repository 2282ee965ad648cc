import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  FakeApiGatewayManagementServer,
  GONE_CONNECTION_CASES,
  rejectionOf,
} from '@taskflow/platform-testing';
import {
  ApiGatewayConnectionSender,
  type ApiGatewayManagementClientOptions,
  ConnectionSendError,
  callbackUrlOf,
  createApiGatewayManagementClient,
} from './api-gateway-connection.sender';

const CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

describe('ApiGatewayConnectionSender (real SDK client against the fake management API)', () => {
  let fake: FakeApiGatewayManagementServer;
  let client: ApiGatewayManagementApiClient;
  let sender: ApiGatewayConnectionSender;

  const build = (options: Partial<ApiGatewayManagementClientOptions> = {}) => {
    client.destroy();
    client = createApiGatewayManagementClient({
      endpoint: fake.endpoint('prod'),
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      maxAttempts: 1,
      ...options,
    });
    sender = new ApiGatewayConnectionSender(client);
  };

  beforeEach(async () => {
    fake = await FakeApiGatewayManagementServer.start();
    client = createApiGatewayManagementClient({
      endpoint: fake.endpoint('prod'),
      region: 'eu-west-1',
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    sender = new ApiGatewayConnectionSender(client);
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  it('posts a message to a connection under the stage of the callback URL', async () => {
    // Prepare
    const id = fake.connect();

    // Act
    const outcome = await sender.post(id, '{"type":"task.created","title":"Ünïcödé"}');

    // Assess
    expect(outcome).toBe('sent');
    expect(fake.received(id)).toEqual(['{"type":"task.created","title":"Ünïcödé"}']);
    expect(fake.calls).toEqual([{ method: 'POST', stage: 'prod', connectionId: id, status: 200 }]);
  });

  it('accepts a callback URL with a trailing slash', async () => {
    // Prepare
    build({ endpoint: `${fake.endpoint('prod')}/` });
    const id = fake.connect();

    // Act
    await sender.post(id, 'x');

    // Assess
    expect(fake.calls[0]).toMatchObject({ stage: 'prod', status: 200 });
  });

  it.each(GONE_CONNECTION_CASES)('answers gone for a connection %s', async (how) => {
    // Act
    const outcome = await sender.post(fake.goneConnection(how), 'x');

    // Assess
    expect(outcome).toBe('gone');
  });

  it.each([
    { type: 'LimitExceededException', status: 429 },
    { type: 'ForbiddenException', status: 403 },
    { type: 'InternalServerError', status: 500 },
  ])('rejects a post answered $type ($status), naming the connection', async (failure) => {
    // Prepare
    const id = fake.connect();
    fake.configure({ failPosts: () => failure });

    // Act
    const error = await rejectionOf(sender.post(id, 'x'));

    // Assess
    expect(error).toBeInstanceOf(ConnectionSendError);
    expect(error).toMatchObject({
      operation: 'PostToConnection',
      connectionId: id,
      errorType: failure.type,
    });
    expect(
      (error as Error).message.startsWith(`PostToConnection ${id} failed: ${failure.type}: `),
    ).toBe(true);
  });

  it('rejects a message over 128 KB with PayloadTooLargeException', async () => {
    // Prepare
    const id = fake.connect();

    // Act
    const error = await rejectionOf(sender.post(id, 'x'.repeat(128 * 1024 + 1)));

    // Assess
    expect(error).toMatchObject({ errorType: 'PayloadTooLargeException' });
  });

  it('retries a server fault when allowed more than one attempt', async () => {
    // Prepare
    build({ maxAttempts: 2 });
    const id = fake.connect();
    let calls = 0;
    fake.configure({
      failPosts: () => {
        calls += 1;
        return calls === 1 ? { type: 'InternalServerError', status: 500 } : null;
      },
    });

    // Act
    const outcome = await sender.post(id, 'x');

    // Assess
    expect(outcome).toBe('sent');
    expect(fake.calls.map((c) => c.status)).toEqual([500, 200]);
    expect(fake.received(id)).toEqual(['x']);
  });

  it('gives up on a call that takes longer than the timeout', async () => {
    // Prepare
    build({ timeoutMs: 100 });
    fake.configure({ latencyMs: 1_000 });
    const id = fake.connect();
    const started = Date.now();

    // Act
    const error = await rejectionOf(sender.post(id, 'x'));

    // Assess
    expect(error).toBeInstanceOf(ConnectionSendError);
    expect(error).toMatchObject({ errorType: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('closes a connection with DeleteConnection', async () => {
    // Prepare
    const id = fake.connect();

    // Act
    await sender.close(id);

    // Assess
    expect(fake.closedBy(id)).toBe('server');
    expect(fake.calls).toEqual([
      { method: 'DELETE', stage: 'prod', connectionId: id, status: 204 },
    ]);
  });

  it('takes closing a connection that is already gone as done', async () => {
    // Act
    const outcome = sender.close('unknown=');

    // Assess
    await expect(outcome).resolves.toBeUndefined();
    expect(fake.calls).toEqual([
      {
        method: 'DELETE',
        stage: 'prod',
        connectionId: 'unknown=',
        status: 410,
        errorType: 'GoneException',
      },
    ]);
  });

  it('rejects a close that fails otherwise, naming the connection', async () => {
    // Prepare
    const id = fake.connect();
    fake.configure({ failDeletes: () => ({ type: 'ForbiddenException', status: 403 }) });

    // Act
    const error = await rejectionOf(sender.close(id));

    // Assess
    expect(error).toMatchObject({
      name: 'ConnectionSendError',
      operation: 'DeleteConnection',
      connectionId: id,
      errorType: 'ForbiddenException',
    });
    expect(fake.isOpen(id)).toBe(true);
  });
});

describe('createApiGatewayManagementClient', () => {
  it('reads the Region from an execute-api callback URL', async () => {
    // Act
    const client = createApiGatewayManagementClient({
      endpoint: 'https://abc123xyz0.execute-api.eu-west-2.amazonaws.com/prod',
    });

    // Assess
    expect(await client.config.region()).toBe('eu-west-2');
    client.destroy();
  });

  it('prefers the Region it is given', async () => {
    // Act
    const client = createApiGatewayManagementClient({
      endpoint: 'https://abc123xyz0.execute-api.eu-west-2.amazonaws.com/prod',
      region: 'us-east-1',
    });

    // Assess
    expect(await client.config.region()).toBe('us-east-1');
    client.destroy();
  });

  it.each<[string, ApiGatewayManagementClientOptions, string]>([
    ['an endpoint that is no URL', { endpoint: 'prod' }, 'endpoint: not a URL: "prod"'],
    [
      'an endpoint of another scheme',
      { endpoint: 'wss://abc.execute-api.eu-west-1.amazonaws.com/prod' },
      'endpoint: must be an http(s) URL, got wss:',
    ],
    [
      'an endpoint with a query string',
      { endpoint: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod?x=1' },
      'endpoint: must not have a query string or fragment',
    ],
    [
      'a custom domain without a Region',
      { endpoint: 'https://live.example.com/v1' },
      'region: required when the endpoint is not an execute-api URL (live.example.com)',
    ],
    [
      'zero attempts',
      { endpoint: 'https://live.example.com/v1', region: 'eu-west-1', maxAttempts: 0 },
      'maxAttempts: must be an integer ≥ 1, got 0',
    ],
    [
      'a timeout that is not a positive integer',
      { endpoint: 'https://live.example.com/v1', region: 'eu-west-1', timeoutMs: 0.5 },
      'timeoutMs: must be an integer ≥ 1, got 0.5',
    ],
  ])('refuses %s, naming the option', (_case, options, message) => {
    // Act
    const create = () => createApiGatewayManagementClient(options);

    // Assess
    expect(create).toThrow(new RangeError(message));
  });
});

describe('callbackUrlOf', () => {
  it('builds the callback URL from a request context’s domain name and stage', () => {
    // Act
    const url = callbackUrlOf('abc123xyz0.execute-api.eu-west-1.amazonaws.com', 'prod');

    // Assess
    expect(url).toBe('https://abc123xyz0.execute-api.eu-west-1.amazonaws.com/prod');
  });

  it.each([
    ['', 'prod', 'domainName must not be empty'],
    ['abc.example.com', ' ', 'stage must not be empty'],
  ])('refuses domain %p and stage %p', (domainName, stage, message) => {
    // Act
    const build = () => callbackUrlOf(domainName, stage);

    // Assess
    expect(build).toThrow(new RangeError(message));
  });
});
