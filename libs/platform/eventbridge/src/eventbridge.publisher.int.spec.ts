import { randomUUID } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { PublishOutcome } from '@taskflow/platform-ports';
import { type EventEnvelope, serializeEnvelope } from '@taskflow/platform-events';
import {
  FakeEventBridge,
  TEST_EVENTS,
  type FakeEventBridgeBehaviour,
  type FakePutEventsCall,
  type FakePutEventsEntry,
} from '@taskflow/platform-testing';
import { createEventBridgeClient } from './eventbridge.client';
import {
  EventBridgePublisher,
  type EventBridgePublisherOptions,
  type EventBridgePublishMetrics,
} from './eventbridge.publisher';
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from './put-events.limits';

const BUS = 'taskflow-test-bus';
const OCCURRED_AT = '2025-03-04T05:06:07.089Z';

/** An envelope of type `type` with fresh ids. */
function envelope<T extends Record<string, unknown>>(
  type: string,
  data: T,
): EventEnvelope & { data: T } {
  return {
    id: randomUUID(),
    type,
    data,
    aggregateId: randomUUID(),
    aggregateVersion: 1,
    projectId: randomUUID(),
    actor: randomUUID(),
    occurredAt: OCCURRED_AT,
    schemaVersion: 1,
    correlationId: 'req-1',
  };
}

function statusChanged(): EventEnvelope {
  return envelope('task.status_changed', { from: 'pending', to: 'in_progress' });
}

/** A comment.added event whose body is `length` repetitions of `char`. */
function comment(length = 10, char = 'a'): ReturnType<typeof envelope<{ body: string }>> {
  return envelope('comment.added', {
    commentId: randomUUID(),
    taskId: randomUUID(),
    authorId: randomUUID(),
    body: char.repeat(length),
    createdAt: OCCURRED_AT,
  });
}

const sampleEvents: [string, string, () => EventEnvelope][] = [
  ['task.status_changed', 'Task Status Changed', statusChanged],
  [
    'task.assigned',
    'Task Assigned',
    () => envelope('task.assigned', { from: null, to: randomUUID() }),
  ],
  ['task.deleted', 'Task Deleted', () => envelope('task.deleted', { deletedAt: OCCURRED_AT })],
  ['comment.added', 'Comment Added', () => comment()],
  [
    'project.member_added',
    'Project Member Added',
    () => envelope('project.member_added', { userId: randomUUID(), role: 'editor' }),
  ],
  [
    'user.created',
    'User Created',
    () =>
      envelope('user.created', {
        user: { id: randomUUID(), name: 'Ada', email: 'ada@example.com', createdAt: OCCURRED_AT },
      }),
  ],
];

/** Events as the relay hands them to the publisher: as stored. */
function stored(events: readonly EventEnvelope[]) {
  return events.map(serializeEnvelope);
}

function idOf(entry: FakePutEventsEntry): string {
  const detail = JSON.parse(entry.Detail ?? 'null') as { id?: unknown } | null;
  return typeof detail?.id === 'string' ? detail.id : '';
}

function idsIn(call: FakePutEventsCall): string[] {
  return call.entries.map(idOf);
}

function failedIdsIn(call: FakePutEventsCall): string[] {
  return call.entries.filter((_, index) => 'ErrorCode' in (call.results[index] ?? {})).map(idOf);
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}

describe('EventBridgePublisher through the AWS SDK against FakeEventBridge', () => {
  let fake: FakeEventBridge;
  let client: EventBridgeClient;
  let sleeps: number[];

  beforeEach(async () => {
    fake = await FakeEventBridge.start();
    client = createEventBridgeClient({
      region: 'eu-west-1',
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    });
    sleeps = [];
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  /** A publisher on the fake whose backoff sleeps are recorded instead of waited. */
  function publisher(options: Partial<EventBridgePublisherOptions> = {}): EventBridgePublisher {
    return new EventBridgePublisher({
      client,
      eventBusName: BUS,
      events: TEST_EVENTS,
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
      ...options,
    });
  }

  function configure(behaviour: FakeEventBridgeBehaviour): void {
    fake.configure(behaviour);
  }

  describe('entries', () => {
    it.each(sampleEvents)(
      'sends a %s event as "%s" with the envelope as Detail',
      async (_type, detailType, make) => {
        // Prepare
        const event = make();

        // Act
        const outcome = await publisher().publish(stored([event]));

        // Assess
        expect(outcome).toEqual({ published: [event.id], failed: [] });
        expect(fake.received).toHaveLength(1);
        const [received] = fake.received;
        expect(received?.entry).toEqual({
          Source: 'taskflow.tasks',
          DetailType: detailType,
          Detail: JSON.stringify(event),
          EventBusName: BUS,
          Time: OCCURRED_AT,
          Resources: [],
        });
        expect(JSON.parse(received?.entry.Detail ?? 'null')).toEqual(event);
        expect(received?.eventId).toMatch(/^[0-9a-f-]{36}$/);
      },
    );

    it.each([
      [
        'a trace header is available',
        'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      ],
      ['no trace header is available', undefined],
    ])('uses the configured source and passes TraceHeader only when %s', async (_case, header) => {
      // Prepare
      const events = [statusChanged(), comment()];
      const sut = publisher({ source: 'taskflow.test', traceHeader: () => header });

      // Act
      await sut.publish(stored(events));

      // Assess
      expect(fake.received.map(({ entry }) => entry.Source)).toEqual([
        'taskflow.test',
        'taskflow.test',
      ]);
      expect(fake.received.map(({ entry }) => entry.TraceHeader)).toEqual([header, header]);
    });

    it('sends the stored JSON text as Detail byte for byte, and Time from occurredAt', async () => {
      // Prepare: text laid out unlike JSON.stringify, so a re-serialised envelope shows.
      const event = statusChanged();
      const json = JSON.stringify(event, null, 2);

      // Act
      const outcome = await publisher().publish([
        { id: event.id, type: event.type, occurredAt: event.occurredAt, json },
      ]);

      // Assess
      expect(outcome).toEqual({ published: [event.id], failed: [] });
      expect(fake.received.map(({ entry }) => [entry.Detail, entry.Time])).toEqual([
        [json, OCCURRED_AT],
      ]);
    });

    it('makes no call for no events', async () => {
      // Act
      const outcome = await publisher().publish(stored([]));

      // Assess
      expect(outcome).toEqual({ published: [], failed: [] });
      expect(fake.requests).toBe(0);
    });
  });

  describe('batching', () => {
    it.each([
      [1, [1]],
      [10, [10]],
      [11, [10, 1]],
      [25, [10, 10, 5]],
    ])('sends %i events in calls of %j entries, in order', async (count, sizes) => {
      // Prepare
      const events = Array.from({ length: count }, statusChanged);

      // Act
      const outcome = await publisher().publish(stored(events));

      // Assess
      expect(outcome.published).toEqual(events.map((event) => event.id));
      expect(fake.calls.map((call) => call.entries.length)).toEqual(sizes);
      expect(fake.received.map(({ entry }) => idOf(entry))).toEqual(outcome.published);
    });

    it.each([
      // ~120 KB each: two fit in 256 KB, three do not.
      ['ASCII', 'a', 120_000, [2, 2, 1]],
      // 60,000 characters but 180,000 UTF-8 bytes: counting characters would put two in a call
      // and have the whole call refused.
      ['3-byte UTF-8', '€', 60_000, [1, 1, 1, 1, 1]],
    ])(
      'splits big %s events so that no call exceeds 256 KB',
      async (_case, char, length, sizes) => {
        // Prepare
        const events = Array.from({ length: 5 }, () => comment(length, char));

        // Act
        const outcome = await publisher().publish(stored(events));

        // Assess
        expect(outcome.failed).toEqual([]);
        expect(outcome.published).toEqual(events.map((event) => event.id));
        expect(fake.calls.map((call) => call.entries.length)).toEqual(sizes);
        expect(
          fake.calls.every(
            (call) => call.status === 'ok' && call.entryBytes <= PUT_EVENTS_MAX_BYTES,
          ),
        ).toBe(true);
      },
    );

    it('fails an event over 256 KB as not retryable, never sends it, and sends the others', async () => {
      // Prepare
      const [before, huge, after] = [comment(), comment(300_000), comment()];

      // Act
      const outcome = await publisher().publish(stored([before, huge, after]));

      // Assess
      expect(outcome.published).toEqual([before.id, after.id]);
      expect(outcome.failed).toEqual([
        {
          id: huge.id,
          reason: expect.stringContaining('bytes; EventBridge accepts at most 262144'),
          retryable: false,
        },
      ]);
      expect(fake.calls.flatMap(idsIn)).toEqual([before.id, after.id]);
    });

    it.each([
      [0, 'published'],
      [1, 'failed'],
    ])('an entry %i byte(s) over exactly 256 KB is %s', async (excess, expected) => {
      // Prepare: measure an empty comment as the publisher will send it, then pad it to size.
      const empty = comment(0);
      const overhead = putEventsEntrySize({
        Source: 'taskflow.tasks',
        DetailType: 'Comment Added',
        Detail: JSON.stringify(empty),
        Time: new Date(OCCURRED_AT),
      });
      const event = {
        ...empty,
        data: { ...empty.data, body: 'a'.repeat(PUT_EVENTS_MAX_BYTES - overhead + excess) },
      };

      // Act
      const outcome = await publisher().publish(stored([event]));

      // Assess
      expect(outcome.published.length === 1 ? 'published' : 'failed').toBe(expected);
      expect(fake.received).toHaveLength(expected === 'published' ? 1 : 0);
    });
  });

  describe('retries', () => {
    it.each([1, 7, 42])(
      'delivers every event exactly once under 20%% entry failures and 20%% throttling (seed %i)',
      async (seed) => {
        // Prepare
        configure({ seed, failureRate: 0.2, throttleRate: 0.2 });
        const events = Array.from({ length: 50 }, statusChanged);
        const ids = events.map((event) => event.id);
        const metrics: EventBridgePublishMetrics[] = [];

        // Act
        const outcome = await publisher({
          maxAttempts: 12,
          metrics: (m) => metrics.push(m),
        }).publish(stored(events));

        // Assess: everything published, each accepted exactly once.
        expect(outcome).toEqual({ published: ids, failed: [] });
        const receivedIds = fake.received.map(({ entry }) => idOf(entry));
        expect(sorted(receivedIds)).toEqual(sorted(ids));
        // The run really exercised both kinds of failure.
        expect(fake.calls.some((call) => call.errorType === 'ThrottlingException')).toBe(true);
        expect(fake.calls.some((call) => failedIdsIn(call).length > 0)).toBe(true);
        // An accepted entry is never sent again; a throttled call is re-sent whole; after a
        // partial failure exactly the failed entries are re-sent.
        const accepted = new Set<string>();
        fake.calls.forEach((call, index) => {
          for (const id of idsIn(call)) expect(accepted.has(id)).toBe(false);
          if (call.status === 'ok') {
            for (const [i, result] of call.results.entries()) {
              if ('EventId' in result) accepted.add(idOf(call.entries[i] ?? {}));
            }
          }
          const next = fake.calls[index + 1];
          if (next === undefined) return;
          if (call.status === 'error') expect(idsIn(next)).toEqual(idsIn(call));
          else if (failedIdsIn(call).length > 0) expect(idsIn(next)).toEqual(failedIdsIn(call));
        });
        expect(fake.calls.every((call) => call.entries.length <= 10)).toBe(true);
        expect(metrics).toEqual([
          expect.objectContaining({
            events: 50,
            published: 50,
            failedRetryable: 0,
            failedPermanent: 0,
            calls: fake.requests,
            throttledCalls: fake.calls.filter((call) => call.errorType === 'ThrottlingException')
              .length,
          }),
        ]);
      },
    );

    it.each<[string, FakeEventBridgeBehaviour, string]>([
      ['every entry fails with InternalFailure', { failureRate: 1 }, 'InternalFailure'],
      ['every call is throttled', { throttleRate: 1 }, 'ThrottlingException'],
      [
        'every call meets a server fault',
        { failRequests: () => ({ type: 'InternalException', status: 500 }) },
        'InternalException',
      ],
    ])(
      'reports events retryable after maxAttempts when %s, without throwing',
      async (_case, behaviour, code) => {
        // Prepare
        configure(behaviour);
        const events = [statusChanged(), statusChanged(), statusChanged()];

        // Act
        const outcome = await publisher({ maxAttempts: 3 }).publish(stored(events));

        // Assess
        expect(outcome.published).toEqual([]);
        expect(outcome.failed).toEqual(
          events.map((event) => ({
            id: event.id,
            reason: expect.stringMatching(
              new RegExp(`^${code}: .*\\(gave up after 3 attempts\\)$`),
            ),
            retryable: true,
          })),
        );
        expect(fake.requests).toBe(3);
        expect(sleeps).toHaveLength(2);
      },
    );

    it('backs off exponentially with full jitter, capped at maxDelayMs', async () => {
      // Prepare
      configure({ failureRate: 1 });
      const sut = publisher({
        maxAttempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 300,
        random: () => 0.5,
      });

      // Act
      await sut.publish(stored([statusChanged()]));

      // Assess
      expect(sleeps).toEqual([50, 100, 150, 150]);
    });

    it.each([
      'MalformedDetail',
      'AccessDeniedException',
      'InvalidArgument',
      'NotAuthorizedForSourceException',
      'NotAuthorizedForDetailTypeException',
    ])('fails an entry rejected with %s as not retryable, without retrying it', async (code) => {
      // Prepare
      const [first, poison, last] = [statusChanged(), statusChanged(), statusChanged()];
      configure({ failEntries: (entry) => (idOf(entry) === poison.id ? code : null) });

      // Act
      const outcome = await publisher().publish(stored([first, poison, last]));

      // Assess
      expect(outcome.published).toEqual([first.id, last.id]);
      expect(outcome.failed).toEqual([
        { id: poison.id, reason: expect.stringContaining(code), retryable: false },
      ]);
      expect(fake.requests).toBe(1);
      expect(sleeps).toEqual([]);
    });

    it('sends each entry of a call refused with ValidationException alone, so only the culprit fails', async () => {
      // Prepare
      const [first, poison, last] = [statusChanged(), statusChanged(), statusChanged()];
      configure({
        failRequests: (entries) =>
          entries.some((entry) => idOf(entry) === poison.id)
            ? { type: 'ValidationException', message: 'bad entry' }
            : null,
      });

      // Act
      const outcome = await publisher().publish(stored([first, poison, last]));

      // Assess
      expect(outcome.published).toEqual([first.id, last.id]);
      expect(outcome.failed).toEqual([
        { id: poison.id, reason: 'ValidationException: bad entry', retryable: false },
      ]);
      expect(fake.calls.map(idsIn)).toEqual([
        [first.id, poison.id, last.id],
        [first.id],
        [poison.id],
        [last.id],
      ]);
    });

    it('reports every event retryable, without retrying, when the caller is refused as a whole', async () => {
      // Prepare
      configure({
        failRequests: () => ({
          type: 'AccessDeniedException',
          message: 'not allowed',
          status: 400,
        }),
      });
      const events = [statusChanged(), statusChanged()];

      // Act
      const outcome = await publisher().publish(stored(events));

      // Assess
      expect(outcome.failed).toEqual(
        events.map((event) => ({
          id: event.id,
          reason: 'AccessDeniedException: not allowed',
          retryable: true,
        })),
      );
      expect(fake.requests).toBe(1);
    });
  });

  describe('latency', () => {
    it('waits for a slow endpoint within the call timeout', async () => {
      // Prepare
      configure({ latencyMs: 150 });
      const events = [statusChanged(), statusChanged()];
      const started = Date.now();

      // Act
      const outcome = await publisher({ callTimeoutMs: 5_000 }).publish(stored(events));

      // Assess
      expect(outcome.published).toEqual(events.map((event) => event.id));
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('gives every call of a publish its own call timeout', async () => {
      // Prepare: three calls of 150 ms each; together they take longer than one timeout.
      configure({ latencyMs: 150 });
      const events = Array.from({ length: 25 }, statusChanged);

      // Act
      const outcome = await publisher({ callTimeoutMs: 300, maxAttempts: 1 }).publish(
        stored(events),
      );

      // Assess
      expect(outcome).toEqual({ published: events.map((event) => event.id), failed: [] });
      expect(fake.requests).toBe(3);
    });

    it('does not hold a backoff longer than the call timeout against the next call', async () => {
      // Prepare: the first call is throttled, the wait before the retry outlasts the timeout.
      let calls = 0;
      configure({
        failRequests: () =>
          (calls += 1) === 1 ? { type: 'ThrottlingException', message: 'slow down' } : null,
      });
      const events = [statusChanged()];
      const sut = publisher({
        callTimeoutMs: 50,
        sleep: (ms) => {
          sleeps.push(ms);
          return new Promise((resolve) => setTimeout(resolve, 120));
        },
      });

      // Act
      const outcome = await sut.publish(stored(events));

      // Assess
      expect(outcome).toEqual({ published: [events[0]?.id], failed: [] });
      expect(fake.requests).toBe(2);
      expect(sleeps).toHaveLength(1);
    });

    it('abandons calls slower than the call timeout and reports the events retryable', async () => {
      // Prepare
      configure({ latencyMs: 1_000 });
      const events = [statusChanged()];
      const started = Date.now();

      // Act
      const outcome: PublishOutcome = await publisher({
        callTimeoutMs: 100,
        maxAttempts: 2,
      }).publish(stored(events));

      // Assess
      expect(outcome.failed).toEqual([
        {
          id: events[0]?.id,
          reason: 'TimeoutError: no answer within 100 ms (gave up after 2 attempts)',
          retryable: true,
        },
      ]);
      expect(fake.requests).toBe(2);
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  describe('edge cases', () => {
    it('keeps an event of a type this release does not know for a later try', async () => {
      // Prepare
      const unknown = { ...statusChanged(), type: 'task.archived' } as unknown as EventEnvelope;
      const known = statusChanged();

      // Act
      const outcome = await publisher().publish(stored([unknown, known]));

      // Assess
      expect(outcome).toEqual({
        published: [known.id],
        failed: [{ id: unknown.id, reason: 'unknown event type task.archived', retryable: true }],
      });
      expect(fake.calls.flatMap(idsIn)).toEqual([known.id]);
    });

    it('still reports the outcome when the metrics hook throws', async () => {
      // Prepare
      const event = statusChanged();
      const sut = publisher({
        metrics: () => {
          throw new Error('metrics sink down');
        },
      });

      // Act
      const outcome = await sut.publish(stored([event]));

      // Assess
      expect(outcome).toEqual({ published: [event.id], failed: [] });
    });

    it.each([
      ['maxAttempts 0', { maxAttempts: 0 }],
      ['negative baseDelayMs', { baseDelayMs: -1 }],
      ['maxDelayMs below baseDelayMs', { baseDelayMs: 10, maxDelayMs: 5 }],
      ['empty event bus name', { eventBusName: ' ' }],
    ])('refuses %s', (_case, options) => {
      // Act
      const create = (): EventBridgePublisher => publisher(options);

      // Assess
      expect(create).toThrow(RangeError);
    });
  });
});
