import {
  type BusEvent,
  type DeadLetterInput,
  EVENT_RULES,
  type EventRule,
  eventRules,
} from '@taskflow/platform-event-routing';
import { type EventEnvelope, serializeEnvelope } from '@taskflow/platform-events';
import { FixedClock, TEST_EVENTS } from '@taskflow/platform-testing';
import { type BusTarget, LocalEventBus, type LocalEventBusOptions } from './local-event-bus';
import type { PutEventsEntry } from './put-events';

// The seed's `aws events put-events --entries` example, verbatim.
const SEED_ENTRY: PutEventsEntry = {
  Source: 'task.management',
  DetailType: 'Task Created',
  Detail:
    '{"eventType":"task.created","taskData":{"title":"Test Task","description":"Testing the system","priority":"high","assigned_to":"user@example.com","created_by":"manager@example.com"}}',
  EventBusName: 'real-time-task-mgmt-events-xxxxx',
};

/** A target that records what it received and answers with the scripted outcomes in turn. */
function recordingTarget(outcomes: readonly (Error | null)[] = []): {
  target: BusTarget;
  received: BusEvent[];
} {
  const received: BusEvent[] = [];
  return {
    received,
    target: (event) => {
      received.push(event);
      const outcome = outcomes[received.length - 1] ?? null;
      return outcome === null ? Promise.resolve('ok') : Promise.reject(outcome);
    },
  };
}

/** An error a target throws when retrying cannot help. */
class RejectedEvent extends Error {
  readonly retryable = false;
}

interface Harness {
  bus: LocalEventBus;
  processor: BusEvent[];
  broadcaster: BusEvent[];
  deadLetters: DeadLetterInput[];
  sleeps: number[];
  clock: FixedClock;
}

function harness(
  options: {
    processorOutcomes?: readonly (Error | null)[];
    overrides?: Partial<LocalEventBusOptions>;
  } = {},
): Harness {
  const processor = recordingTarget(options.processorOutcomes);
  const broadcaster = recordingTarget();
  const deadLetters: DeadLetterInput[] = [];
  const sleeps: number[] = [];
  const clock = new FixedClock('2025-03-04T05:06:07.890Z');
  let ids = 0;
  const bus = new LocalEventBus({
    rules: EVENT_RULES,
    events: TEST_EVENTS,
    targets: { processor: processor.target, broadcaster: broadcaster.target },
    deadLetters: (letter) => {
      deadLetters.push(letter);
      return Promise.resolve();
    },
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
    random: () => 0.5,
    clock,
    newEventId: () => {
      ids += 1;
      return `00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`;
    },
    ...options.overrides,
  });
  return {
    bus,
    processor: processor.received,
    broadcaster: broadcaster.received,
    deadLetters,
    sleeps,
    clock,
  };
}

/** A stored-looking envelope of `type`; only its type and id matter to the bus. */
function envelope(type: string, n: number): EventEnvelope {
  return {
    id: `0190a5f2-7c3e-7abc-8def-${String(n).padStart(12, '0')}`,
    type,
    schemaVersion: 1,
    occurredAt: '2025-01-02T03:04:05.678Z',
    actor: null,
    projectId: null,
    aggregateId: '0190a5f2-7c3e-7abc-8def-000000000999',
    aggregateVersion: 1,
    correlationId: null,
    data: {},
  };
}

describe('LocalEventBus.putEvents', () => {
  it('answers like PutEvents and delivers the EventBridge event to the processor', async () => {
    // Prepare
    const { bus, processor, broadcaster } = harness();

    // Act
    const result = await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(result).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: '00000000-0000-4000-8000-000000000001' }],
    });
    expect(processor).toEqual([
      {
        version: '0',
        id: '00000000-0000-4000-8000-000000000001',
        'detail-type': 'Task Created',
        source: 'task.management',
        account: '000000000000',
        time: '2025-03-04T05:06:07Z',
        region: 'local',
        resources: [],
        detail: JSON.parse(SEED_ENTRY.Detail ?? ''),
      },
    ]);
    expect(broadcaster).toEqual([]);
  });

  it('answers before any target runs', async () => {
    // Prepare
    const { bus, processor } = harness();

    // Act
    await bus.putEvents([SEED_ENTRY]);
    const beforeDrain = processor.length;
    await bus.drain();

    // Assess
    expect(beforeDrain).toBe(0);
    expect(processor).toHaveLength(1);
  });

  it('reports each refused entry at its position and delivers only the accepted ones', async () => {
    // Prepare
    const { bus, processor } = harness();
    const entries: PutEventsEntry[] = [
      { DetailType: 'Task Created', Detail: SEED_ENTRY.Detail ?? '' },
      SEED_ENTRY,
      { ...SEED_ENTRY, Detail: '{"eventType":' },
      { ...SEED_ENTRY, Detail: '["not", "an", "object"]' },
      { ...SEED_ENTRY, DetailType: ' ' },
      { ...SEED_ENTRY, Time: 'yesterday' },
    ];

    // Act
    const result = await bus.putEvents(entries);
    await bus.drain();

    // Assess
    expect(result.FailedEntryCount).toBe(5);
    expect(result.Entries).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: expect.stringContaining('Parameter Source is not valid'),
      },
      { EventId: '00000000-0000-4000-8000-000000000001' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: expect.stringContaining('Parameter DetailType is not valid'),
      },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid.' },
    ]);
    expect(processor.map((e) => e.id)).toEqual(['00000000-0000-4000-8000-000000000001']);
  });

  it('stamps the entry Time to the second, as EventBridge does', async () => {
    // Prepare
    const { bus, processor } = harness();

    // Act
    await bus.putEvents([{ ...SEED_ENTRY, Time: '2024-12-31T23:59:58.999+01:00' }]);
    await bus.drain();

    // Assess
    expect(processor[0]?.time).toBe('2024-12-31T22:59:58Z');
  });

  it.each([
    { case: 'no entries', entries: [] },
    { case: 'eleven entries', entries: Array.from({ length: 11 }, () => SEED_ENTRY) },
    {
      case: 'over 256 KB in total',
      entries: [{ ...SEED_ENTRY, Detail: JSON.stringify({ x: 'x'.repeat(300_000) }) }],
    },
  ])('refuses a request of $case as a whole (ValidationException)', async ({ entries }) => {
    // Prepare
    const { bus, processor } = harness();

    // Act
    const outcome = bus.putEvents(entries);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ValidationException' });
    await bus.drain();
    expect(processor).toEqual([]);
  });

  it('gives each target its own copy of the event', async () => {
    // Prepare
    const rules: EventRule[] = [
      { name: 'a', description: 'a', eventPattern: { source: ['s'] }, target: 'processor' },
      { name: 'b', description: 'b', eventPattern: { source: ['s'] }, target: 'broadcaster' },
    ];
    const seen: unknown[] = [];
    const bus = new LocalEventBus({
      rules,
      events: TEST_EVENTS,
      targets: {
        processor: (event) => {
          (event.detail as { touched?: boolean }).touched = true;
          return Promise.resolve();
        },
        broadcaster: (event) => {
          seen.push(event.detail);
          return Promise.resolve();
        },
      },
      deadLetters: () => Promise.resolve(),
    });

    // Act
    await bus.putEvents([{ Source: 's', DetailType: 'd', Detail: '{"n":1}' }]);
    await bus.drain();

    // Assess
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('skips, and reports, a rule whose target this process does not run', async () => {
    // Prepare
    const unrouted: string[] = [];
    const { bus } = harness({
      overrides: {
        targets: {},
        observer: { unrouted: (_event, rule, target) => unrouted.push(`${rule}->${target}`) },
      },
    });

    // Act
    const result = await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    expect(unrouted).toEqual(['inbound-task-commands->processor']);
  });
});

describe('LocalEventBus delivery failures', () => {
  it('retries a failing target with growing backoff, then dead-letters with the last reason', async () => {
    // Prepare
    const failures = [new Error('db down 1'), new Error('db down 2'), new Error('db down 3')];
    const retries: number[] = [];
    const { bus, processor, deadLetters, sleeps, clock } = harness({
      processorOutcomes: failures,
      overrides: { observer: { retrying: (d) => retries.push(d.attempt) } },
    });

    // Act
    await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(processor).toHaveLength(3);
    expect(new Set(processor.map((e) => e.id)).size).toBe(1);
    expect(retries).toEqual([1, 2]);
    expect(sleeps).toEqual([50, 100]);
    expect(deadLetters).toEqual([
      {
        event: processor[0],
        target: 'processor',
        reason: 'db down 3',
        attempts: 3,
        failedAt: clock.now(),
      },
    ]);
  });

  it('delivers on a later attempt without dead-lettering', async () => {
    // Prepare
    const delivered: number[] = [];
    const { bus, processor, deadLetters } = harness({
      processorOutcomes: [new Error('blip'), new Error('blip')],
      overrides: { observer: { delivered: (d) => delivered.push(d.attempt) } },
    });

    // Act
    await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(processor).toHaveLength(3);
    expect(delivered).toEqual([3]);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters a permanent failure at once, without retrying', async () => {
    // Prepare
    const { bus, processor, deadLetters, sleeps } = harness({
      processorOutcomes: [new RejectedEvent('taskData.title: required')],
    });

    // Act
    await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(processor).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(deadLetters).toMatchObject([
      { target: 'processor', reason: 'taskData.title: required', attempts: 1 },
    ]);
  });

  it('reports a dead-letter sink that fails, and still drains', async () => {
    // Prepare
    const lost: string[] = [];
    const { bus } = harness({
      processorOutcomes: [new RejectedEvent('bad')],
      overrides: {
        deadLetters: () => Promise.reject(new Error('dlq down')),
        observer: {
          deadLetterFailed: (letter, error) => lost.push(`${letter.reason}/${String(error)}`),
        },
      },
    });

    // Act
    await bus.putEvents([SEED_ENTRY]);
    await bus.drain();

    // Assess
    expect(lost).toEqual(['bad/Error: dlq down']);
  });

  it.each([0, 1.5])('refuses maxAttempts %p', (maxAttempts) => {
    // Act
    const act = (): unknown => harness({ overrides: { maxAttempts } });

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('LocalEventBus.publish (the relay publishing locally)', () => {
  const envelopes = TEST_EVENTS.definitions.map((d, i) => envelope(d.type, i + 1));
  /** The events as the relay hands them over: as stored. */
  const stored = (events: readonly EventEnvelope[]) => events.map(serializeEnvelope);

  it('publishes every Taskflow event to the broadcaster and none to the processor (no loops)', async () => {
    // Prepare
    const { bus, processor, broadcaster } = harness();

    // Act
    const outcome = await bus.publish(stored(envelopes));
    await bus.drain();

    // Assess
    expect(outcome).toEqual({ published: envelopes.map((e) => e.id), failed: [] });
    expect(processor).toEqual([]);
    expect(broadcaster.map((e) => [e.source, e['detail-type'], e.detail])).toEqual(
      TEST_EVENTS.definitions.map((d, i) => ['taskflow.tasks', d.detailType, envelopes[i]]),
    );
    expect(broadcaster[0]?.time).toBe('2025-01-02T03:04:05Z');
  });

  it('uses the configured source, which the rules route the same way', async () => {
    // Prepare
    const { bus, processor, broadcaster } = harness({
      overrides: { source: 'acme.tasks', rules: eventRules({ source: 'acme.tasks' }) },
    });

    // Act
    await bus.publish(stored(envelopes.slice(0, 3)));
    await bus.drain();

    // Assess
    expect(processor).toEqual([]);
    expect(broadcaster.map((e) => e.source)).toEqual(['acme.tasks', 'acme.tasks', 'acme.tasks']);
  });

  it('keeps an event of unknown type for a later release (retryable) and publishes the rest', async () => {
    // Prepare
    const { bus } = harness();
    const unknown = envelope('task.renamed', 99);

    // Act
    const outcome = await bus.publish(stored([unknown, ...envelopes.slice(0, 2)]));

    // Assess
    expect(outcome).toEqual({
      published: envelopes.slice(0, 2).map((e) => e.id),
      failed: [{ id: unknown.id, reason: 'unknown event type task.renamed', retryable: true }],
    });
  });

  it('fails an oversized event for good and publishes the rest, in batches of ten', async () => {
    // Prepare
    const accepted: number[] = [];
    const { bus } = harness({ overrides: { observer: { accepted: () => accepted.push(1) } } });
    const huge = {
      ...envelope('task.deleted', 77),
      data: { deletedAt: 'x'.repeat(300_000) },
    } as EventEnvelope;
    const many = Array.from({ length: 23 }, (_, i) => envelope('task.deleted', 100 + i));

    // Act
    const outcome = await bus.publish(stored([huge, ...many]));

    // Assess
    expect(outcome.published).toEqual(many.map((e) => e.id));
    expect(outcome.failed).toMatchObject([{ id: huge.id, retryable: false }]);
    expect(accepted).toHaveLength(23);
  });
});
