import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import {
  FakeApiGatewayManagementServer,
  GONE_CONNECTION_CASES,
  MAX_WEBSOCKET_MESSAGE_BYTES,
} from './fake-api-gateway-management.server';
import { rejectionOf } from '../assertions/rejection-of';

describe('FakeApiGatewayManagementServer', () => {
  let fake: FakeApiGatewayManagementServer;
  let client: ApiGatewayManagementApiClient;

  const clientFor = (endpoint: string): ApiGatewayManagementApiClient =>
    new ApiGatewayManagementApiClient({
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });

  beforeEach(async () => {
    fake = await FakeApiGatewayManagementServer.start();
    client = clientFor(fake.endpoint('prod'));
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  const post = (connectionId: string, data: string | Uint8Array) =>
    client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));

  describe('through the real SDK client', () => {
    it('delivers posts to an open connection, in order, under the stage of the callback URL', async () => {
      // Prepare
      const id = fake.connect('L0SM9cOFvHcCIhw=');

      // Act
      await post(id, '{"type":"task.created"}');
      await post(id, new TextEncoder().encode('second ✓'));

      // Assess
      expect(fake.received(id)).toEqual(['{"type":"task.created"}', 'second ✓']);
      expect(fake.calls).toEqual([
        { method: 'POST', stage: 'prod', connectionId: id, status: 200 },
        { method: 'POST', stage: 'prod', connectionId: id, status: 200 },
      ]);
    });

    it('also answers on an endpoint without a stage', async () => {
      // Prepare
      const bare = clientFor(fake.url);
      const id = fake.connect();

      // Act
      await bare.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hi' }));
      bare.destroy();

      // Assess
      expect(fake.received(id)).toEqual(['hi']);
      expect(fake.calls[0]).toMatchObject({ stage: null, connectionId: id });
    });

    it('reaches a connection whose id holds URL-reserved characters (+, /, =)', async () => {
      // Prepare
      const id = fake.connect('Ab+/cDeFgHiJkLm=');

      // Act
      await post(id, 'x');
      await client.send(new DeleteConnectionCommand({ ConnectionId: id }));

      // Assess
      expect(fake.received(id)).toEqual(['x']);
      expect(fake.closedBy(id)).toBe('server');
    });

    it('issues connection ids shaped like API Gateway’s', () => {
      // Act
      const ids = [fake.connect(), fake.connect()];

      // Assess
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
      expect(new Set(ids).size).toBe(2);
    });

    it.each(GONE_CONNECTION_CASES)(
      'answers GoneException (410) for a connection %s',
      async (how) => {
        // Prepare
        const id = fake.goneConnection(how);

        // Act
        const error = await rejectionOf(post(id, 'x'));

        // Assess
        expect(error).toBeInstanceOf(GoneException);
        expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
        expect(fake.received(id)).toEqual([]);
      },
    );

    it('closes a connection on DeleteConnection; it is gone afterwards', async () => {
      // Prepare
      const id = fake.connect();

      // Act
      await client.send(new DeleteConnectionCommand({ ConnectionId: id }));
      const postAfter = await rejectionOf(post(id, 'late'));
      const deleteAgain = await rejectionOf(
        client.send(new DeleteConnectionCommand({ ConnectionId: id })),
      );

      // Assess
      expect(fake.isOpen(id)).toBe(false);
      expect(fake.closedBy(id)).toBe('server');
      expect(postAfter).toBeInstanceOf(GoneException);
      expect(deleteAgain).toBeInstanceOf(GoneException);
      expect(fake.calls.map((c) => [c.method, c.status])).toEqual([
        ['DELETE', 204],
        ['POST', 410],
        ['DELETE', 410],
      ]);
    });

    it('describes an open connection on GetConnection', async () => {
      // Prepare
      const id = fake.connect();

      // Act
      const output = await client.send(new GetConnectionCommand({ ConnectionId: id }));

      // Assess
      expect(output.ConnectedAt).toBeInstanceOf(Date);
      expect(output.Identity).toEqual({
        SourceIp: '192.0.2.1',
        UserAgent: 'taskflow-test-client',
      });
    });

    it('refuses a message over 128 KB with PayloadTooLargeException (413)', async () => {
      // Prepare
      const id = fake.connect();

      // Act
      await post(id, 'a'.repeat(MAX_WEBSOCKET_MESSAGE_BYTES));
      const error = await rejectionOf(post(id, 'a'.repeat(MAX_WEBSOCKET_MESSAGE_BYTES + 1)));

      // Assess
      expect(error).toBeInstanceOf(PayloadTooLargeException);
      expect(fake.received(id)).toHaveLength(1);
    });

    it('answers injected failures with their status and error type', async () => {
      // Prepare
      const [busy, locked, fine] = [fake.connect(), fake.connect(), fake.connect()];
      fake.configure({
        failPosts: (id) => (id === busy ? { type: 'LimitExceededException', status: 429 } : null),
        failDeletes: (id) =>
          id === locked ? { type: 'ForbiddenException', status: 403, message: 'no' } : null,
      });

      // Act
      const throttled = await rejectionOf(post(busy, 'x'));
      const forbidden = await rejectionOf(
        client.send(new DeleteConnectionCommand({ ConnectionId: locked })),
      );
      await post(fine, 'ok');

      // Assess
      expect(throttled).toBeInstanceOf(LimitExceededException);
      expect(forbidden).toBeInstanceOf(ForbiddenException);
      expect(fake.isOpen(locked)).toBe(true);
      expect(fake.received(busy)).toEqual([]);
      expect(fake.received(fine)).toEqual(['ok']);
    });

    it('holds calls for the configured latency and counts how many were in flight', async () => {
      // Prepare
      fake.configure({ latencyMs: 50 });
      const ids = [fake.connect(), fake.connect(), fake.connect()];
      const started = Date.now();

      // Act
      await Promise.all(ids.map((id) => post(id, 'x')));

      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(45);
      expect(fake.peakInFlight).toBe(3);
    });
  });

  describe('over raw HTTP', () => {
    it('refuses an unsigned call with ForbiddenException (403)', async () => {
      // Prepare
      const id = fake.connect();

      // Act
      const response = await fetch(
        `${fake.endpoint('prod')}/@connections/${encodeURIComponent(id)}`,
        {
          method: 'POST',
          body: 'x',
        },
      );

      // Assess
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      expect(fake.received(id)).toEqual([]);
    });

    it.each([
      ['an unknown route', 'GET', '/prod/connections/abc', 404, 'NotFoundException'],
      ['an unsupported method', 'PUT', '/prod/@connections/abc', 405, 'MethodNotAllowedException'],
    ])('answers %s', async (_case, method, path, status, type) => {
      // Act
      const response = await fetch(`${fake.url}${path}`, {
        method,
        headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test' },
      });

      // Assess
      expect(response.status).toBe(status);
      expect(response.headers.get('x-amzn-errortype')).toBe(type);
    });
  });

  it('refuses a negative latency', () => {
    // Act
    const configure = () => fake.configure({ latencyMs: -1 });

    // Assess
    expect(configure).toThrow(new RangeError('latencyMs must be ≥ 0'));
  });

  it('stops once, and refuses connections afterwards', async () => {
    // Act
    await fake.stop();
    await fake.stop();

    // Assess
    await expect(fetch(`${fake.url}/@connections/x`)).rejects.toThrow();
  });
});
