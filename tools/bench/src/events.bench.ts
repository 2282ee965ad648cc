import { availableParallelism } from 'node:os';
import type { Persistence } from '@taskflow/app-composition';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import type { BenchDatabase } from './bench-database';
import { machineLines, openBenchPersistence, openRunDatabase, startBenchHost } from './bench-run';
import { type EventsBenchConfig, loadEventsBenchConfig } from './events-config';
import { sampleCpu } from './proc-stats';
import { type RelayBenchResult, measureRelayThroughput, median } from './relay-throughput';
import { type TargetCheck, table, targetsText } from './report';
import { type Cleanup, runBenchmark, say } from './run-support';
import { createTaskInput } from './scenarios';
import type { Actors } from './seed';
import type { ServerProcess } from './server-process';
import {
  type CommitTimes,
  type Distribution,
  type SseLatencyResult,
  measureSseLatency,
} from './sse-latency';
import { sharedClockMs } from './sse-subscriber';

/** Commit-to-SSE p99 at the paced write rate (issue 10), and while POST runs flat out. */
const SSE_P99_TARGET_MS = 25;
const FLAT_OUT_P99_TARGET_MS = 50;
const RELAY_RATIO_TARGET = 0.8;

const fixed = (value: number, digits: number): string =>
  Number.isFinite(value) ? value.toFixed(digits) : value > 0 ? '∞' : 'n/a';
const grouped = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';

function setUpLines(config: EventsBenchConfig, database: BenchDatabase): string {
  return [
    ...machineLines(database),
    `latency part: ${config.subscribers} SSE subscribers on ${config.sseProjects} project(s), ` +
      `${config.writeRate} POST /tasks per second open loop over ≤ ${config.writeConnections} connections, ` +
      `warm-up ${config.warmupMs / 1000} s, window ${config.sseWindowMs / 1000} s; host pool ${config.poolSize}; ` +
      `flat-out part: ${config.flatSubscribers} subscribers while ${config.flatConnections} writers POST /tasks back to back; ` +
      `host: ${config.hostMode === 'bundle' ? 'node dist/apps/host/main.js (as npm start runs it)' : 'node --import tsx apps/host/src/main.ts'}`,
    `relay part: ${config.relayEvents.toLocaleString('en-US')} events per run, ${config.relayRounds} relay/bare pairs, ` +
      `concurrency ${config.relayConcurrency}; local PutEvents endpoint (FakeEventBridge) in this process`,
  ].join('\n');
}

/** Projects the latency part spreads over: the seeded write project, plus more if asked. */
async function sseProjects(
  persistence: Persistence,
  actors: Actors,
  count: number,
): Promise<string[]> {
  const projects = new ProjectUseCases(
    persistence.projects,
    persistence.users,
    systemClock,
    uuidV7Generator,
  );
  const ids = [actors.writeProjectId];
  const context = { actorId: actors.userId, correlationId: 'bench-seed' };
  while (ids.length < count) {
    ids.push((await projects.create({ name: `Bench: stream ${ids.length + 1}` }, context)).id);
  }
  return ids;
}

/**
 * When each task of the projects committed, on this process's shared clock. PostgreSQL records
 * the commit time of every transaction (`track_commit_timestamp`) on the system clock; the
 * offset between that clock and ours is measured by reading the server's clock between two
 * readings of ours, keeping the reading with the shortest round trip (its half is the error).
 */
async function commitTimes(
  persistence: Persistence,
  projectIds: readonly string[],
): Promise<CommitTimes> {
  let best = { offsetMs: 0, uncertaintyMs: Number.POSITIVE_INFINITY };
  for (let i = 0; i < 50; i += 1) {
    const before = sharedClockMs();
    const { rows } = await persistence.db.query<{ ms: string }>({
      text: 'SELECT (extract(epoch FROM clock_timestamp()) * 1000)::text AS ms',
      values: [],
    });
    const after = sharedClockMs();
    if ((after - before) / 2 < best.uncertaintyMs) {
      best = {
        offsetMs: Number(rows[0]?.ms ?? Number.NaN) - (before + after) / 2,
        uncertaintyMs: (after - before) / 2,
      };
    }
  }
  // xmin of an outbox row: the transaction that inserted it (the outbox is never updated).
  const { rows } = await persistence.db.query<{ task: string; ms: string | null }>({
    text: `SELECT aggregate_id::text AS task,
                  (extract(epoch FROM pg_xact_commit_timestamp(xmin)) * 1000)::text AS ms
             FROM outbox WHERE type = 'task.created' AND project_id = ANY($1::uuid[])`,
    values: [projectIds],
  });
  const byTask = new Map<string, number>();
  for (const row of rows) {
    if (row.ms !== null) byTask.set(row.task, Number(row.ms) - best.offsetMs);
  }
  return { byTask, uncertaintyMs: best.uncertaintyMs };
}

async function smokeTest(host: ServerProcess, actors: Actors, projectId: string): Promise<void> {
  const created = await fetch(`${host.url}/tasks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${actors.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(createTaskInput(0, projectId)),
  });
  await created.arrayBuffer();
  if (created.status !== 201) throw new Error(`smoke test: POST /tasks answered ${created.status}`);
}

/** Where the undelivered events sit in the log: (writing transaction, event id) and time. */
async function reportUndelivered(persistence: Persistence, sse: SseLatencyResult): Promise<void> {
  const { rows } = await persistence.db.query<{ task: string; tx: string; at: Date }>({
    text: `SELECT aggregate_id AS task, tx::text AS tx, occurred_at AS at FROM outbox
           WHERE aggregate_id = ANY($1::uuid[]) ORDER BY tx, id`,
    values: [sse.missingTasks.map((m) => m.taskId)],
  });
  const received = new Map(sse.missingTasks.map((m) => [m.taskId, m.received]));
  say(
    `undelivered writes (task, tx, occurred at, streams reached): ${rows
      .map((r) => `${r.task} tx ${r.tx} ${r.at.toISOString()} ${received.get(r.task) ?? '?'}`)
      .join('; ')}`,
  );
}

function distributionRow(label: string, d: Distribution): string[] {
  return [
    label,
    fixed(d.p50Ms, 1),
    fixed(d.p99Ms, 1),
    fixed(d.maxMs, 1),
    fixed(d.minMs, 1),
    grouped(d.negative),
    grouped(d.count),
  ];
}

function sseReport(r: SseLatencyResult, cores: number): string {
  const share = (ms: number): string => `${fixed((ms * 100) / (r.windowMs * cores), 0)}%`;
  const ours = r.cpu.hostMs + r.cpu.benchMs + r.cpu.postgresMs;
  return [
    table(
      ['latency (ms)', 'p50', 'p99', 'max', 'min', 'below 0', 'samples'],
      [
        ...(r.fromCommit === null
          ? []
          : [distributionRow('SSE arrival − commit (PostgreSQL)', r.fromCommit)]),
        distributionRow('SSE arrival − write response', r.fromResponse),
        distributionRow('SSE arrival − write request sent', r.fromRequest),
        distributionRow('write: schedule → response', r.writeLatency),
      ],
    ),
    '',
    r.fromCommit === null
      ? 'commit times: not recorded by this server (track_commit_timestamp off): the target is judged on the lower bound'
      : `commit times: recorded by PostgreSQL; our clock and the server's aligned within ±${fixed(r.fromCommit.uncertaintyMs, 2)} ms`,
    `streams: ${r.subscribers} on ${r.threads} worker threads, opened in ${fixed(r.connectMs / 1000, 1)} s; cut by the host before the end: ${r.streamsCut}; ` +
      `socket reads per stream: ${fixed(r.readsPerStreamPerSecond, 0)}/s`,
    `writes in the window: ${grouped(r.writesScheduled)} scheduled, ${grouped(r.writesOk)} answered 201; ` +
      `whole run: ${r.writesUnexpected} other statuses, ${r.writeErrors} connection errors`,
    `achieved write rate: ${fixed(r.achievedWriteRate, 1)}/s (201s received inside the window); ` +
      `most writes in flight: ${r.maxInFlight}; writer's send lag p99 ${fixed(r.sendLagP99Ms, 1)} ms`,
    `deliveries of the window's writes: ${grouped(r.deliveriesExpected)} expected, ${grouped(r.deliveriesReceived)} received, ` +
      `${grouped(r.deliveriesMissing)} missing after 5 s of drain (counted as ∞), ${grouped(r.duplicates)} duplicates`,
    `CPU over the window (share of all ${cores} cores): host ${share(r.cpu.hostMs)}, benchmark process ${share(r.cpu.benchMs)}, ` +
      `PostgreSQL ${share(r.cpu.postgresMs)}, others ${share(Math.max(0, r.cpu.machineBusyMs - ours))}`,
    `benchmark event-loop delay p99 (timestamps may be this late): writer ${fixed(r.writerLoopDelayP99Ms, 1)} ms, ` +
      `stream threads ${fixed(r.readerLoopDelayP99Ms, 1)} ms`,
  ].join('\n');
}

/**
 * Bare CPU per event ÷ relay CPU per event, every party counted (this process, and PostgreSQL for
 * the relay): the throughput ratio to expect when the cores do nothing else. It moves less than
 * the throughput ratio when other work comes and goes on the machine.
 */
function costRatio(pair: RelayBenchResult['pairs'][number]): number {
  return pair.bare.benchUsPerEvent / (pair.relay.benchUsPerEvent + pair.relay.postgresUsPerEvent);
}

function relayReport(r: RelayBenchResult): string {
  const rows = r.pairs.map((pair, i) => [
    String(i + 1),
    i % 2 === 0 ? 'relay' : 'bare',
    grouped(pair.relay.eventsPerSecond),
    grouped(pair.bare.eventsPerSecond),
    fixed(pair.ratio, 2),
    `${grouped(pair.relay.benchUsPerEvent)} + ${grouped(pair.relay.postgresUsPerEvent)}`,
    grouped(pair.bare.benchUsPerEvent),
    `${fixed(pair.relay.othersShare, 0)}% / ${fixed(pair.bare.othersShare, 0)}%`,
    fixed(costRatio(pair), 2),
  ]);
  const calls = r.pairs[0];
  return [
    table(
      [
        'round',
        'first',
        'relay events/s',
        'bare events/s',
        'ratio',
        'relay µs/event (bench + pg)',
        'bare µs/event',
        'others relay / bare',
        'cost ratio',
      ],
      rows,
    ),
    '',
    `median ratio ${fixed(r.medianRatio, 2)}; median cost ratio ${fixed(median(r.pairs.map(costRatio)), 2)}; PutEvents calls per run: relay ${calls?.relay.calls ?? 0}, bare ${calls?.bare.calls ?? 0}; ` +
      `same batches on the wire: ${r.sameBatches ? 'yes' : 'NO'}`,
  ].join('\n');
}

async function main(cleanup: Cleanup): Promise<number> {
  const started = performance.now();
  const config = loadEventsBenchConfig();
  const cores = availableParallelism();
  say(`Taskflow events benchmark, ${new Date().toISOString()}`);

  const database = await openRunDatabase(cleanup, config.adminUrl, (db) => setUpLines(config, db), {
    trackCommitTimestamps: true,
  });
  const { persistence, actors, jwtSecret } = await openBenchPersistence(cleanup, database, {
    label: 'bench persistence',
    applicationName: 'taskflow-bench-relay',
    size: config.relayConcurrency + 1,
  });

  const checks: TargetCheck[] = [];
  let invalid = 0;
  const latencyParts = config.parts.filter((part) => part === 'sse' || part === 'flat');
  if (latencyParts.length > 0) {
    const projectIds = await sseProjects(persistence, actors, config.sseProjects);
    const host = await startBenchHost(cleanup, database, config, jwtSecret);
    await smokeTest(host, actors, projectIds[0] ?? '');
    const commits = database.commitTimestamps ? () => commitTimes(persistence, projectIds) : null;
    for (const part of latencyParts) {
      const paced = part === 'sse';
      const subscribers = paced ? config.subscribers : config.flatSubscribers;
      say(
        paced
          ? `\ncommit-to-SSE latency: opening ${subscribers} streams, then ${config.writeRate} writes/s for ` +
              `${(config.warmupMs + config.sseWindowMs) / 1000} s…`
          : `\ncommit-to-SSE latency with POST flat out: opening ${subscribers} streams, then ` +
              `${config.flatConnections} writers back to back for ${(config.warmupMs + config.sseWindowMs) / 1000} s…`,
      );
      const sse = await measureSseLatency({
        baseUrl: host.url,
        token: actors.token,
        projectIds,
        subscribers,
        threads: config.sseThreads,
        writeRate: paced ? config.writeRate : 'flat-out',
        warmupMs: config.warmupMs,
        windowMs: config.sseWindowMs,
        writeConnections: paced ? config.writeConnections : config.flatConnections,
        sample: () => sampleCpu(host.pid, database.databaseName),
        commitTimes: commits,
      });
      host.assertRunning();
      if (sse.missingTasks.length > 0) await reportUndelivered(persistence, sse);
      say(sseReport(sse, cores));
      invalid += sse.writesUnexpected + sse.writeErrors;
      // Judged on the commit time PostgreSQL recorded where it records them; else on the write's
      // response, which comes after the commit (so this figure can only be lower than the truth).
      const judged = sse.fromCommit ?? sse.fromResponse;
      const target = paced ? SSE_P99_TARGET_MS : FLAT_OUT_P99_TARGET_MS;
      const basis =
        sse.fromCommit === null
          ? '(arrival − write response: a lower bound)'
          : '(arrival − commit time)';
      checks.push({
        label: paced
          ? `commit-to-SSE p99 ≤ ${target} ms, ${subscribers} subscribers at ${config.writeRate} writes/s ${basis}`
          : `commit-to-SSE p99 ≤ ${target} ms and none missing, ${subscribers} subscribers, POST flat out ` +
            `(${fixed(sse.achievedWriteRate, 0)} writes/s) ${basis}`,
        value: `${fixed(judged.p99Ms, 1)} ms, ${grouped(sse.deliveriesMissing)} missing`,
        pass: judged.p99Ms <= target && (paced || sse.deliveriesMissing === 0),
      });
    }
    const memory = host.memory();
    // The host's own relay would sweep the relay part's events: it stops here.
    await host.stop();
    say(
      `\nhost RSS: peak ${memory.peakMb.toFixed(0)} MB, at the end ${memory.rssMb.toFixed(0)} MB`,
    );
    const tail = host.outputTail().filter((line) => !line.includes('Taskflow is running'));
    if (tail.length > 0) say(`host output (last lines):\n${tail.join('\n')}`);
  }

  if (config.parts.includes('relay')) {
    say(
      `\nrelay throughput: ${config.relayEvents.toLocaleString('en-US')} events, relay and bare client alternately…`,
    );
    const relay = await measureRelayThroughput(
      {
        persistence,
        userId: actors.userId,
        projectId: actors.readProjectId,
        events: config.relayEvents,
        rounds: config.relayRounds,
        concurrency: config.relayConcurrency,
        sample: () => sampleCpu(-1, database.databaseName),
        progress: say,
      },
      cores,
    );
    say('');
    say(relayReport(relay));
    checks.push({
      label: `relay ÷ bare SDK throughput ≥ ${RELAY_RATIO_TARGET} (median of ${relay.pairs.length})`,
      value: fixed(relay.medianRatio, 2),
      pass: relay.medianRatio >= RELAY_RATIO_TARGET,
    });
  }

  say('');
  say(targetsText(checks));
  say(`\nfinished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (invalid > 0) {
    process.stderr.write(`INVALID RUN: ${invalid} writes did not succeed\n`);
    return 1;
  }
  return 0;
}

runBenchmark(main);
