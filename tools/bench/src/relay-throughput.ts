import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import {
  EventBridgePublisher,
  createEventBridgeClient,
  packBatches,
  putEventsEntrySize,
} from '@taskflow/platform-eventbridge';
import { DEFAULT_TASKFLOW_EVENT_SOURCE } from '@taskflow/platform-event-routing';
import { type EventEnvelope, type PendingEvent } from '@taskflow/platform-events';
import { type Persistence, TASKFLOW_EVENTS } from '@taskflow/app-composition';
import { WriteBatch, appendOutbox } from '@taskflow/platform-postgres';
import { ProjectAccess } from '@taskflow/projects-domain';
import { Task } from '@taskflow/tasks-domain';
import { DEFAULT_RELAY_OPTIONS, OutboxRelay } from '@taskflow/platform-relay';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { FakeEventBridge } from '@taskflow/platform-testing';
import { type CpuSample, postgresCpuBetween } from './proc-stats';
import { createTaskInput } from './scenarios';

const BUS_NAME = 'taskflow-bench';

// Each run starts on a collected heap: the previous run's garbage (20,000 received entries, the
// wire check's parsed copies) must not be collected during, and charged to, the next one.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const SEED_CHUNK = 2_000;
const WARMUP_EVENTS = 5_000;

/** How the relay part is run. */
export interface RelayBenchOptions {
  /** The bench process's own persistence (pool ≥ concurrency + 1): the relay's database access. */
  readonly persistence: Persistence;
  readonly userId: string;
  readonly projectId: string;
  readonly events: number;
  readonly rounds: number;
  readonly concurrency: number;
  /** CPU of this process, PostgreSQL and the machine (the host is stopped by then). */
  readonly sample: () => CpuSample;
  /** Progress output. */
  readonly progress: (text: string) => void;
}

/** One timed drain of the same events, by the relay or by the bare client. */
export interface RelayRun {
  readonly side: 'relay' | 'bare';
  readonly events: number;
  readonly calls: number;
  readonly ms: number;
  readonly eventsPerSecond: number;
  /** CPU per event, in µs: this process (relay or bare client, plus the fake endpoint), PostgreSQL. */
  readonly benchUsPerEvent: number;
  readonly postgresUsPerEvent: number;
  /** Share of all cores used by others during the run, in percent. */
  readonly othersShare: number;
}

/** Relay and bare runs in the order they ran, paired, with their ratio. */
export interface RelayBenchResult {
  readonly pairs: readonly { relay: RelayRun; bare: RelayRun; ratio: number }[];
  readonly medianRatio: number;
  readonly concurrency: number;
  /** Whether both sides sent the same batches (same entries, same grouping), checked on the wire. */
  readonly sameBatches: boolean;
  /** How the outbox was filled: events taken from earlier writes, and tasks created for the rest. */
  readonly reused: number;
  readonly seeded: number;
  readonly seedMs: number;
}

/**
 * The PutEvents entry of a stored event, built as EventBridgePublisher builds it (no trace
 * header): `Detail` is the outbox row's payload text, as the relay sends it.
 */
function entryOf({ envelope, payload }: StoredEvent): PutEventsRequestEntry {
  const definition = TASKFLOW_EVENTS.definitionOf(envelope.type);
  if (!definition) throw new Error(`unknown event type ${envelope.type}`);
  return {
    Source: DEFAULT_TASKFLOW_EVENT_SOURCE,
    DetailType: definition.detailType,
    Detail: payload,
    EventBusName: BUS_NAME,
    Resources: [],
    Time: new Date(envelope.occurredAt),
  };
}

/** An outbox row: its payload text and the envelope it holds. */
interface StoredEvent {
  readonly envelope: EventEnvelope;
  readonly payload: string;
}

/** The batches the relay sends: claims of `claimLimit` in id order, each packed as the publisher packs. */
function batchesOf(events: readonly StoredEvent[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  for (let i = 0; i < events.length; i += DEFAULT_RELAY_OPTIONS.claimLimit) {
    const claim = events.slice(i, i + DEFAULT_RELAY_OPTIONS.claimLimit).map(entryOf);
    batches.push(...packBatches(claim, putEventsEntrySize).map((batch) => [...batch]));
  }
  return batches;
}

/** Event ids of each call the fake answered, one line per call, sorted. */
function wireBatches(fake: FakeEventBridge): string[] {
  return fake.calls
    .map((call) =>
      call.entries
        .map((entry) => (JSON.parse(entry.Detail ?? '{}') as { id?: string }).id)
        .join(','),
    )
    .sort();
}

/**
 * Makes sure the outbox holds at least `events` events: the latency part's writes are reused,
 * and the rest are `task.created` events of tasks built by the domain (`Task.create`, as the use
 * case does) and stored by `appendOutbox`, the repositories' own outbox writer, 2,000 a statement
 * (the tasks themselves are not needed by the relay and are not stored).
 */
async function fillOutbox(
  options: RelayBenchOptions,
): Promise<{ reused: number; seeded: number; ms: number }> {
  const started = performance.now();
  const { rows } = await options.persistence.db.query<{ n: string }>({
    text: 'SELECT count(*)::text AS n FROM outbox',
    values: [],
  });
  const reused = Math.min(options.events, Number(rows[0]?.n ?? 0));
  const missing = options.events - reused;
  const access = ProjectAccess.of(options.projectId, new Map([[options.userId, 'owner']]));
  for (let done = 0; done < missing; done += SEED_CHUNK) {
    const events: PendingEvent[] = [];
    for (let n = done; n < Math.min(missing, done + SEED_CHUNK); n += 1) {
      const { title, description, priority, labels } = createTaskInput(n, options.projectId);
      const task = Task.create({
        id: uuidV7Generator.next(),
        projectId: options.projectId,
        title,
        fields: { description, priority, labels },
        actorId: options.userId,
        access,
        now: new Date(),
      });
      events.push(...task.pullEvents());
    }
    const batch = appendOutbox(
      new WriteBatch(),
      events,
      { correlationId: randomUUID() },
      uuidV7Generator,
    );
    await options.persistence.db.query(batch.toStatement());
  }
  return { reused, seeded: missing, ms: performance.now() - started };
}

/**
 * Marks the first `count` events of the outbox (by id) as not yet published, as a command leaves
 * them, dated a minute back so that the sweeper's fast-path grace does not hold them; then
 * vacuums the table, as autovacuum would between bursts.
 */
async function markPending(persistence: Persistence, count: number): Promise<void> {
  await persistence.db.query({ text: 'DELETE FROM outbox_pending', values: [] });
  await persistence.db.query({
    text: `INSERT INTO outbox_pending (id, occurred_at, attempts)
           SELECT id, now() - interval '1 minute', 0 FROM outbox ORDER BY id LIMIT $1`,
    values: [count],
  });
  await persistence.db.query({ text: 'VACUUM ANALYZE outbox_pending', values: [] });
}

async function pendingCount(persistence: Persistence): Promise<number> {
  const { rows } = await persistence.db.query<{ n: string }>({
    text: 'SELECT count(*)::text AS n FROM outbox_pending',
    values: [],
  });
  return Number(rows[0]?.n ?? -1);
}

function measured(
  side: 'relay' | 'bare',
  events: number,
  calls: number,
  first: CpuSample,
  last: CpuSample,
  cores: number,
): RelayRun {
  const ms = last.atMs - first.atMs;
  const ours = last.benchMs - first.benchMs + postgresCpuBetween(first, last);
  const others = Math.max(0, last.machineBusyMs - first.machineBusyMs - ours);
  return {
    side,
    events,
    calls,
    ms,
    eventsPerSecond: (events * 1000) / ms,
    benchUsPerEvent: ((last.benchMs - first.benchMs) * 1000) / events,
    postgresUsPerEvent: (postgresCpuBetween(first, last) * 1000) / events,
    othersShare: (others * 100) / (ms * cores),
  };
}

/** Drains `count` pending events with `concurrency` relays (defaults but the owner). */
async function runRelay(
  options: RelayBenchOptions,
  publisher: EventBridgePublisher,
  fake: FakeEventBridge,
  count: number,
  cores: number,
): Promise<RelayRun> {
  await markPending(options.persistence, count);
  fake.reset();
  const relays = Array.from(
    { length: options.concurrency },
    (_, i) =>
      new OutboxRelay(options.persistence.outbox, publisher, systemClock, {
        owner: `bench-relay-${i}`,
      }),
  );
  collectGarbage();
  const first = options.sample();
  const rounds = await Promise.all(relays.map((relay) => relay.sweepUntilIdle()));
  const last = options.sample();
  const published = rounds.reduce((sum, round) => sum + round.published, 0);
  const failed = rounds.reduce((sum, round) => sum + round.failed, 0);
  const left = await pendingCount(options.persistence);
  if (published !== count || failed !== 0 || left !== 0 || fake.received.length !== count) {
    throw new Error(
      `relay run: ${published} published, ${failed} failed, ${left} left pending, ` +
        `${fake.received.length} received by the endpoint, of ${count}`,
    );
  }
  return measured('relay', count, fake.calls.length, first, last, cores);
}

/** Sends the same batches with the bare SDK client, `concurrency` calls at a time. */
async function runBare(
  client: EventBridgeClient,
  batches: readonly PutEventsRequestEntry[][],
  fake: FakeEventBridge,
  options: RelayBenchOptions,
  cores: number,
): Promise<RelayRun> {
  fake.reset();
  const count = batches.reduce((sum, batch) => sum + batch.length, 0);
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next];
      next += 1;
      const output = await client.send(new PutEventsCommand({ Entries: batch }));
      failed += output.FailedEntryCount ?? 0;
    }
  };
  collectGarbage();
  const first = options.sample();
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const last = options.sample();
  if (failed !== 0 || fake.received.length !== count) {
    throw new Error(`bare run: ${failed} failed, ${fake.received.length} received, of ${count}`);
  }
  return measured('bare', count, fake.calls.length, first, last, cores);
}

/** The middle value (the mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * Relay throughput against the local PutEvents endpoint (FakeEventBridge, in this process)
 * versus the bare SDK client sending the same batches to it. The relay side is the product's
 * sweeper as a host runs it: `OutboxRelay` with its default options (claims of 500 under a
 * lease, then mark published) over `EventBridgePublisher` (the real SDK client, retries off,
 * batches of ≤ 10 entries). The bare side sends the very same entries, grouped the same way,
 * with `client.send(new PutEventsCommand(...))` on the same client and nothing else. Runs
 * alternate (relay first in odd rounds, bare first in even ones); the verdict is on the median
 * of the per-round ratios.
 */
export async function measureRelayThroughput(
  options: RelayBenchOptions,
  cores: number,
): Promise<RelayBenchResult> {
  const fill = await fillOutbox(options);
  options.progress(
    `outbox: ${fill.reused.toLocaleString('en-US')} events from earlier writes, ` +
      `${fill.seeded.toLocaleString('en-US')} task.created events added (${(fill.ms / 1000).toFixed(1)} s)`,
  );
  const { rows } = await options.persistence.db.query<{ payload: string }>({
    text: 'SELECT payload FROM outbox ORDER BY id LIMIT $1',
    values: [options.events],
  });
  const stored = rows.map(({ payload }) => ({
    envelope: JSON.parse(payload) as EventEnvelope,
    payload,
  }));
  const batches = batchesOf(stored);

  const fake = await FakeEventBridge.start();
  const client = createEventBridgeClient({
    region: 'us-east-1',
    endpoint: fake.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const publisher = new EventBridgePublisher({
      client,
      eventBusName: BUS_NAME,
      events: TASKFLOW_EVENTS,
    });
    // Warm-up of both paths (JIT, keep-alive connections, prepared statements), not counted.
    await runRelay(options, publisher, fake, Math.min(WARMUP_EVENTS, options.events), cores);
    await runBare(client, batches.slice(0, WARMUP_EVENTS / 10), fake, options, cores);

    const pairs: { relay: RelayRun; bare: RelayRun; ratio: number }[] = [];
    let sameBatches = true;
    for (let round = 0; round < options.rounds; round += 1) {
      const relayFirst = round % 2 === 0;
      let relay: RelayRun | null = null;
      let bare: RelayRun | null = null;
      const wire = { relay: '', bare: '' };
      for (const side of relayFirst ? (['relay', 'bare'] as const) : (['bare', 'relay'] as const)) {
        if (side === 'relay')
          relay = await runRelay(options, publisher, fake, stored.length, cores);
        else bare = await runBare(client, batches, fake, options, cores);
        wire[side] = wireBatches(fake).join('\n');
      }
      if (relay === null || bare === null) throw new Error('a relay round did not run both sides');
      if (wire.relay !== wire.bare) sameBatches = false;
      pairs.push({ relay, bare, ratio: relay.eventsPerSecond / bare.eventsPerSecond });
      options.progress(
        `  round ${round + 1}: relay ${Math.round(relay.eventsPerSecond).toLocaleString('en-US')} events/s, ` +
          `bare ${Math.round(bare.eventsPerSecond).toLocaleString('en-US')} events/s, ratio ${(relay.eventsPerSecond / bare.eventsPerSecond).toFixed(2)}`,
      );
    }
    return {
      pairs,
      medianRatio: median(pairs.map((pair) => pair.ratio)),
      concurrency: options.concurrency,
      sameBatches,
      reused: fill.reused,
      seeded: fill.seeded,
      seedMs: fill.ms,
    };
  } finally {
    client.destroy();
    await fake.stop();
  }
}
