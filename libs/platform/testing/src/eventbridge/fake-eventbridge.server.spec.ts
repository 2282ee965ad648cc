import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  ThrottlingException,
} from '@aws-sdk/client-eventbridge';
import { FakeEventBridge, putEventsEntryBytes } from './fake-eventbridge.server';

const entry = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  Source: 'taskflow.test',
  DetailType: 'Thing Happened',
  Detail: '{"n":1}',
  ...overrides,
});

describe('FakeEventBridge', () => {
  let fake: FakeEventBridge;

  beforeEach(async () => {
    fake = await FakeEventBridge.start();
  });

  afterEach(async () => {
    await fake.stop();
  });

  /** A raw AWS JSON 1.1 call, as the SDK would make it (the fake only checks the scheme). */
  async function call(
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(fake.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
        authorization: 'AWS4-HMAC-SHA256 Credential=test/20250101/eu-west-1/events/aws4_request',
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe('through the real SDK client', () => {
    let client: EventBridgeClient;

    beforeEach(() => {
      client = new EventBridgeClient({
        region: 'eu-west-1',
        endpoint: fake.url,
        credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
        maxAttempts: 1,
      });
    });

    afterEach(() => {
      client.destroy();
    });

    it('accepts entries and answers an EventId for each, in order', async () => {
      // Prepare
      const time = new Date('2025-01-02T03:04:05.678Z');
      const entries: PutEventsRequestEntry[] = [
        {
          Source: 's',
          DetailType: 'A',
          Detail: '{"a":1}',
          EventBusName: 'bus',
          Time: time,
          Resources: ['arn:x'],
        },
        { Source: 's', DetailType: 'B', Detail: '{"b":2}', TraceHeader: 'Root=1-abc' },
      ];

      // Act
      const output = await client.send(new PutEventsCommand({ Entries: entries }));

      // Assess
      expect(output.FailedEntryCount).toBe(0);
      expect(output.Entries?.map((result) => result.EventId)).toEqual(
        fake.received.map((r) => r.eventId),
      );
      expect(fake.received.map((r) => r.entry)).toEqual([
        {
          Source: 's',
          DetailType: 'A',
          Detail: '{"a":1}',
          EventBusName: 'bus',
          Time: time.toISOString(),
          Resources: ['arn:x'],
        },
        { Source: 's', DetailType: 'B', Detail: '{"b":2}', TraceHeader: 'Root=1-abc' },
      ]);
      expect(fake.requests).toBe(1);
    });

    it('reports poison entries by position, with the others accepted', async () => {
      // Prepare
      fake.configure({ failEntries: (e) => (e.DetailType === 'Bad' ? 'MalformedDetail' : null) });
      const entries = ['Good', 'Bad', 'Good'].map((DetailType) => ({
        Source: 's',
        DetailType,
        Detail: '{}',
      }));

      // Act
      const output = await client.send(new PutEventsCommand({ Entries: entries }));

      // Assess
      expect(output.FailedEntryCount).toBe(1);
      expect(output.Entries?.map((r) => r.ErrorCode ?? 'ok')).toEqual([
        'ok',
        'MalformedDetail',
        'ok',
      ]);
      expect(fake.received).toHaveLength(2);
    });

    it('throttles a whole call with HTTP 400 ThrottlingException', async () => {
      // Prepare
      fake.configure({ throttleRate: 1 });

      // Act
      const sent = client.send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'A', Detail: '{}' }] }),
      );

      // Assess
      await expect(sent).rejects.toBeInstanceOf(ThrottlingException);
      await expect(sent).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
      expect(fake.received).toEqual([]);
      expect(fake.calls).toEqual([
        expect.objectContaining({ status: 'error', errorType: 'ThrottlingException' }),
      ]);
    });
  });

  describe('validation', () => {
    it.each([
      ['no Entries', {}, 'ValidationException'],
      ['zero entries', { Entries: [] }, 'ValidationException'],
      ['11 entries', { Entries: Array.from({ length: 11 }, () => entry()) }, 'ValidationException'],
      [
        'over 256 KB in total',
        { Entries: [entry({ Detail: `{"x":"${'a'.repeat(262_144)}"}` })] },
        'ValidationException',
      ],
      [
        'no entry with all required members',
        { Entries: [entry({ Source: undefined }), entry({ Detail: '' })] },
        'ValidationException',
      ],
      ['a malformed entry', { Entries: [entry({ Source: 42 })] }, 'SerializationException'],
      ['a body that is not JSON', 'nope', 'SerializationException'],
    ])('refuses a request with %s', async (_case, body, type) => {
      // Act
      const response = await call(body);

      // Assess
      expect(response).toEqual({
        status: 400,
        body: { __type: type, message: expect.any(String) },
      });
      expect(fake.received).toEqual([]);
    });

    it.each([
      ['a member is missing', entry({ DetailType: undefined }), 'InvalidArgument'],
      ['Detail is not JSON', entry({ Detail: '{' }), 'MalformedDetail'],
      ['Detail is a JSON array, not an object', entry({ Detail: '[1]' }), 'MalformedDetail'],
    ])('fails one entry when %s, accepting the others', async (_case, bad, code) => {
      // Act
      const response = await call({ Entries: [entry(), bad] });

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        FailedEntryCount: 1,
        Entries: [
          { EventId: expect.any(String) },
          { ErrorCode: code, ErrorMessage: expect.any(String) },
        ],
      });
      expect(fake.received).toHaveLength(1);
    });

    it.each([
      ['another operation', { 'x-amz-target': 'AWSEvents.ListRules' }, 'UnknownOperationException'],
      ['an unsigned request', { authorization: '' }, 'MissingAuthenticationTokenException'],
      ['another protocol', { 'content-type': 'application/json' }, 'SerializationException'],
    ])('refuses %s', async (_case, headers, type) => {
      // Act
      const response = await call({ Entries: [entry()] }, headers);

      // Assess
      expect(response).toEqual({
        status: 400,
        body: { __type: type, message: expect.any(String) },
      });
    });
  });

  describe('behaviour', () => {
    /** Outcome letters of 40 single-entry calls: T throttled, F failed, . accepted. */
    async function pattern(): Promise<string> {
      let letters = '';
      for (let i = 0; i < 40; i += 1) {
        const response = await call({ Entries: [entry()] });
        if (response.status === 400) letters += 'T';
        else letters += (response.body['FailedEntryCount'] as number) > 0 ? 'F' : '.';
      }
      return letters;
    }

    it('repeats the same failures for the same seed', async () => {
      // Prepare
      fake.configure({ seed: 99, failureRate: 0.3, throttleRate: 0.3 });
      const first = await pattern();

      // Act
      fake.reset();
      fake.configure({ seed: 99, failureRate: 0.3, throttleRate: 0.3 });
      const second = await pattern();

      // Assess
      expect(second).toBe(first);
      expect(first).toMatch(/T/);
      expect(first).toMatch(/F/);
      expect(first).toMatch(/\./);
    });

    it('fails entries at random with the configured error code', async () => {
      // Prepare
      fake.configure({ failureRate: 1, errorCode: 'ThrottlingException' });

      // Act
      const response = await call({ Entries: [entry()] });

      // Assess
      expect(response.body['Entries']).toEqual([
        { ErrorCode: 'ThrottlingException', ErrorMessage: expect.any(String) },
      ]);
    });

    it('answers after the configured latency', async () => {
      // Prepare
      fake.configure({ latencyMs: 120 });
      const started = Date.now();

      // Act
      await call({ Entries: [entry()] });

      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    });

    it('stops promptly while a request waits out its latency', async () => {
      // Prepare
      fake.configure({ latencyMs: 10_000 });
      const pending = call({ Entries: [entry()] }).catch(() => 'dropped');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();

      // Act
      await fake.stop();

      // Assess
      await expect(pending).resolves.toBe('dropped');
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(fake.received).toEqual([]);
    });

    it.each([
      ['failureRate', { failureRate: 1.5 }],
      ['throttleRate', { throttleRate: -0.1 }],
      ['latencyMs', { latencyMs: -1 }],
    ])('refuses an out-of-range %s', (_case, behaviour) => {
      // Act
      const configure = (): void => fake.configure(behaviour);

      // Assess
      expect(configure).toThrow(RangeError);
    });
  });

  describe('putEventsEntryBytes', () => {
    it('counts as EventBridge does: Time 14 bytes, UTF-8 of Source, DetailType, Detail, Resources', () => {
      // Act
      const bytes = putEventsEntryBytes({
        Source: 'ab',
        DetailType: 'é',
        Detail: '{"€":1}',
        Time: '2025-01-01T00:00:00.000Z',
        Resources: ['x', 'yz'],
        EventBusName: 'not counted',
      });

      // Assess
      expect(bytes).toBe(14 + 2 + 2 + 9 + 3);
    });
  });
});
