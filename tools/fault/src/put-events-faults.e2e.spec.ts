import { createEventBridgePublisher } from '@taskflow/app-composition';
import { type EventEnvelope } from '@taskflow/platform-events';
import { OutboxRelay } from '@taskflow/platform-relay';
import { systemClock } from '@taskflow/platform-kernel';
import { FakeEventBridge } from '@taskflow/platform-testing';
import { BusLedger } from './harness/bus-ledger';
import {
  type Connected,
  type FaultDatabase,
  connect,
  openFaultDatabase,
} from './harness/fault-database';
import { printFigures, since } from './harness/figures';
import { runConcurrently } from './harness/http-load';
import { waitUntil } from './harness/wait';

const EVENTS = 1_000;
const CONCURRENCY = 16;
/** The bus's weather: a fifth of entries fail, a fifth of calls are throttled, all are slow. */
const FAILURE_RATE = 0.2;
const THROTTLE_RATE = 0.2;
const LATENCY_MS = 5;
/** Every call is throttled from this event on, until the relays have given up on this many. */
const OUTAGE_AT = 400;
const OUTAGE_UNTIL_RELAY_FAILURES = 50;

/** What one relay reported through its observer. */
interface RelayCounts {
  fast: number;
  sweep: number;
  /** Events a publish gave up on (after the publisher's own retries), left to the sweeper. */
  failed: number;
  errors: number;
}

/**
 * One process publishing its outbox as the host does (`startRelay`): the EventBridge publisher
 * from the shared composition over the real SDK client, the relay's production settings, its own
 * commits on the fast path and a sweeper for everything left.
 */
interface PublishingProcess extends Connected {
  readonly counts: RelayCounts;
  stop(): Promise<void>;
}

async function startPublishingProcess(
  url: string,
  owner: string,
  endpoint: string,
): Promise<PublishingProcess> {
  const connected = await connect(url, 6);
  const counts: RelayCounts = { fast: 0, sweep: 0, failed: 0, errors: 0 };
  const relay = new OutboxRelay(
    connected.persistence.outbox,
    createEventBridgePublisher({
      busName: 'taskflow-fault',
      source: 'taskflow.tasks',
      region: 'eu-west-1',
      endpoint,
    }),
    systemClock,
    { owner },
    {
      published: (count, path) => {
        counts[path] += count;
      },
      failed: (failures) => {
        counts.failed += failures.length;
      },
      error: () => {
        counts.errors += 1;
      },
    },
  );
  const unsubscribe = connected.persistence.db.onCommitted((events) => {
    relay.enqueue(events);
  });
  relay.start();
  return {
    ...connected,
    counts,
    stop: async () => {
      unsubscribe();
      await relay.stop();
      await connected.persistence.close();
    },
  };
}

describe('PutEvents failing 20% of entries, throttling and slow: everything is delivered', () => {
  const savedEnv = { ...process.env };
  let db: FaultDatabase;
  let fake: FakeEventBridge;
  let processes: PublishingProcess[] = [];

  beforeAll(async () => {
    // The SDK's default credential chain reads these, as it does in the host.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'fault',
      AWS_SECRET_ACCESS_KEY: 'fault',
      AWS_REGION: 'eu-west-1',
    });
    db = await openFaultDatabase('fault_put_events');
    fake = await FakeEventBridge.start({
      failureRate: FAILURE_RATE,
      throttleRate: THROTTLE_RATE,
      latencyMs: LATENCY_MS,
      seed: 42,
    });
    processes = [
      await startPublishingProcess(db.url, 'fault-a', fake.url),
      await startPublishingProcess(db.url, 'fault-b', fake.url),
    ];
  });

  afterAll(async () => {
    for (const running of processes) await running.stop();
    await fake.stop();
    await db.close();
    process.env = savedEnv;
  });

  it('two relays publish every committed event at least once, through faults and an outage', async () => {
    // Prepare
    const started = performance.now();
    const { userId } = await db.login('weather@example.com');
    const context = { actorId: userId, correlationId: 'fault-put-events' };
    const project = await db.core.projects.create({ name: 'Weather' }, context);
    const ledger = new BusLedger(fake);
    const relayFailures = (): number => processes.reduce((sum, p) => sum + p.counts.failed, 0);
    let outage: Promise<number> | undefined;

    // Act
    await runConcurrently(EVENTS, CONCURRENCY, async (index) => {
      if (index === OUTAGE_AT) {
        fake.configure({ throttleRate: 1 });
        const outageStarted = performance.now();
        outage = waitUntil(relayFailures, (n) => n >= OUTAGE_UNTIL_RELAY_FAILURES, {
          what: 'the relays to give up on events during the outage',
        }).then(() => {
          fake.configure({ throttleRate: THROTTLE_RATE });
          return since(outageStarted);
        });
      }
      // Each process publishes what it commits itself, as each host does.
      const writer = processes[index % processes.length];
      if (writer === undefined) throw new Error('no publishing process');
      await writer.core.tasks.create({ projectId: project.id, title: `weather ${index}` }, context);
    });
    const produceMs = since(started);
    if (outage === undefined) throw new Error('the outage never began');
    const outageMs = await outage;
    const recoveryStarted = performance.now();
    const outbox = await db.rows<{ id: string; payload: string }>('SELECT id, payload FROM outbox');
    // The relays are done once nothing is pending: each event was acknowledged by the bus (which
    // records an entry before it answers), or set aside for good.
    await waitUntil(
      () => db.count('SELECT count(*) AS n FROM outbox_pending'),
      (pending) => pending === 0,
      { what: 'the relays to publish every event', timeoutMs: 90_000 },
    );
    const recoveryMs = since(recoveryStarted);

    // Assess
    const calls = fake.calls;
    const throttledCalls = calls.filter((call) => call.errorType === 'ThrottlingException').length;
    const failedEntries = calls
      .flatMap((call) => call.results)
      .filter((result) => 'ErrorCode' in result).length;
    const counts = processes.map((p) => p.counts);
    // The faults did happen, at every level: entries, calls, and whole publishes left to the
    // sweeper, which then published them.
    expect(failedEntries).toBeGreaterThan(0);
    expect(throttledCalls).toBeGreaterThan(0);
    expect(relayFailures()).toBeGreaterThanOrEqual(OUTAGE_UNTIL_RELAY_FAILURES);
    expect(counts.reduce((sum, c) => sum + c.sweep, 0)).toBeGreaterThan(0);
    // Nothing lost, nothing set aside, nothing invented, and what arrived is what was written.
    expect(await db.count('SELECT count(*) AS n FROM outbox_pending')).toBe(0);
    expect(ledger.missing(outbox.map((row) => row.id))).toEqual([]);
    const logged = new Set(outbox.map((row) => row.id));
    expect([...ledger.deliveries().keys()].filter((id) => !logged.has(id))).toEqual([]);
    expect(outbox.map((row) => ledger.envelope(row.id))).toEqual(
      outbox.map((row) => JSON.parse(row.payload) as EventEnvelope),
    );
    expect(await db.count("SELECT count(*) AS n FROM outbox WHERE type = 'task.created'")).toBe(
      EVENTS,
    );

    printFigures('PutEvents partial failures, throttling, latency, outage', {
      'events produced (outbox)': outbox.length,
      'events on the bus (distinct)': ledger.deliveries().size,
      'entries accepted by the bus': ledger.accepted,
      'duplicates on the bus': ledger.duplicates,
      'PutEvents calls': calls.length,
      'calls throttled': throttledCalls,
      'entries failed by the bus': failedEntries,
      'events given up by a publish (relay retried)': relayFailures(),
      'published on the fast path': counts.reduce((sum, c) => sum + c.fast, 0),
      'published by the sweepers': counts.reduce((sum, c) => sum + c.sweep, 0),
      'relay errors': counts.reduce((sum, c) => sum + c.errors, 0),
      'production (ms)': produceMs,
      'outage (ms)': outageMs,
      'drain after the outage (ms)': recoveryMs,
      'total (ms)': since(started),
    });
  });
});
