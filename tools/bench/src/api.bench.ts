import { availableParallelism } from 'node:os';
import type { Persistence } from '@taskflow/app-composition';
import { uuidV7Generator } from '@taskflow/platform-kernel';
import { PgChangeNotifications, POSTGRES_SESSION_OPTIONS } from '@taskflow/platform-postgres';
import { Client, Pool } from 'pg';
import { loadBenchConfig, type BenchConfig } from './bench-config';
import type { BenchDatabase } from './bench-database';
import {
  machineLines,
  openBenchPersistence,
  openRunDatabase,
  REPO_ROOT,
  startBenchHost,
} from './bench-run';
import { directLoad } from './direct-load';
import { httpLoad } from './http-load';
import { type Measurement, measureSlice, type Slice, summarise, type Timing } from './measurement';
import { findPgbench, type PgbenchResult, pgbenchScript, runPgbench } from './pgbench';
import { newerThanSeeded, planOf } from './plans';
import { sampleCpu } from './proc-stats';
import { type Cleanup, runBenchmark, say } from './run-support';
import { ServerProcess } from './server-process';
import {
  cpuTable,
  resultsTable,
  type ScenarioResult,
  type TargetCheck,
  targetChecks,
  targetsText,
} from './report';
import {
  type Scenario,
  createTaskInput,
  createTaskScenario,
  createTaskStatements,
  getTaskScenario,
  listTasksScenario,
} from './scenarios';
import { type Actors, sampleTaskIds, seedTasks } from './seed';

const RSS_TARGET_MB = 180;
const STATEMENT_TIMEOUT_MS = 15_000;
// The host's second half-window follows a pause of seconds: connections and JIT are warm.
const RESUME_WARMUP_MS = 1_000;

function machineLine(config: BenchConfig, database: BenchDatabase): string {
  return [
    ...machineLines(database),
    `set-up: pool ${config.poolSize} (host and direct), ${config.connections} connections / workers, ` +
      `warm-up ${config.warmupMs / 1000} s, window ${config.writeWindowMs / 1000} s (writes) / ${config.readWindowMs / 1000} s (reads)`,
    `host: ${config.hostMode === 'bundle' ? 'node dist/apps/host/main.js (esbuild bundle)' : 'node --import tsx apps/host/src/main.ts'}; ` +
      'load generator: autocannon in the benchmark process, which runs nothing else meanwhile',
  ].join('\n');
}

/** Fails fast, before any load, if the host does not answer the scenarios' requests as expected. */
async function smokeTest(host: ServerProcess, actors: Actors): Promise<void> {
  const headers = { authorization: `Bearer ${actors.token}`, 'content-type': 'application/json' };
  const created = await fetch(`${host.url}/tasks`, {
    method: 'POST',
    headers,
    body: JSON.stringify(createTaskInput(0, actors.writeProjectId)),
  });
  const task = (await created.json()) as { id?: string };
  if (created.status !== 201 || task.id === undefined) {
    throw new Error(`smoke test: POST /tasks answered ${created.status}: ${JSON.stringify(task)}`);
  }
  const read = await fetch(`${host.url}/tasks/${task.id}`, { headers });
  await read.arrayBuffer();
  if (read.status !== 200) throw new Error(`smoke test: GET /tasks/{id} answered ${read.status}`);
  const list = await fetch(
    `${host.url}/tasks?projectId=${actors.readProjectId}&status=in_progress&limit=50`,
    {
      headers,
    },
  );
  const page = (await list.json()) as { items?: { id: string }[] };
  if (list.status !== 200 || page.items?.length !== 50) {
    throw new Error(
      `smoke test: the seeded list answered ${list.status} with ${page.items?.length ?? 0} items`,
    );
  }
  const seeded = await fetch(`${host.url}/tasks/${page.items[49]?.id ?? ''}`, { headers });
  await seeded.arrayBuffer();
  if (seeded.status !== 200) throw new Error(`smoke test: a seeded task answered ${seeded.status}`);
}

/** What every measurement of one run shares. */
interface Run {
  readonly config: BenchConfig;
  readonly database: BenchDatabase;
  readonly actors: Actors;
  readonly host: ServerProcess;
  /** The direct baseline's pool: same size and session settings as the host's. */
  readonly pool: Pool;
  /** The direct baseline's live-stream wake-ups after each commit, sent as the host sends them. */
  readonly wake: (projectIds: readonly string[]) => void;
}

async function overHttp(
  run: Run,
  server: ServerProcess,
  scenario: Scenario,
  timing: Timing,
): Promise<Slice> {
  const measured = await measureSlice(
    httpLoad({
      baseUrl: server.url,
      connections: run.config.connections,
      headers: { authorization: `Bearer ${run.actors.token}`, 'content-type': 'application/json' },
      expectedStatus: scenario.expectedStatus,
      next: scenario.http,
    }),
    timing,
    () => sampleCpu(server.pid, run.database.databaseName),
  );
  server.assertRunning();
  return measured;
}

/**
 * Host, direct, host again: the host's window is cut in two halves around the direct window, so
 * that a change in the machine's background load during the scenario weighs on both sides alike
 * (a linear drift cancels out).
 */
async function runScenario(run: Run, scenario: Scenario, timing: Timing): Promise<ScenarioResult> {
  const half = { warmupMs: timing.warmupMs, windowMs: timing.windowMs / 2 };
  process.stdout.write(`  ${scenario.name}: host… `);
  const first = await overHttp(run, run.host, scenario, half);
  process.stdout.write('direct… ');
  const direct = await measureSlice(
    directLoad(run.config.connections, () => scenario.direct(run.pool)),
    timing,
    () => sampleCpu(run.host.pid, run.database.databaseName),
  );
  run.host.assertRunning();
  process.stdout.write('host… ');
  const second = await overHttp(run, run.host, scenario, { ...half, warmupMs: RESUME_WARMUP_MS });
  const result = { scenario, host: summarise([first, second]), baseline: summarise([direct]) };
  say(
    `${Math.round(result.host.throughput)} req/s vs ${Math.round(result.baseline.throughput)} ops/s`,
  );
  return result;
}

/**
 * POST /tasks against the bare node:http server (BENCH_DIAGNOSE=bare), compared with the direct
 * baseline already measured: what HTTP alone costs here, without the application stack.
 */
async function runBare(run: Run, writes: ScenarioResult, timing: Timing): Promise<ScenarioResult> {
  const bare = await ServerProcess.startBare({
    repoRoot: REPO_ROOT,
    databaseUrl: run.database.url,
    poolSize: run.config.poolSize,
    userId: run.actors.userId,
    projectId: run.actors.writeProjectId,
  });
  try {
    const scenario: Scenario = {
      ...createTaskScenario(run.actors.userId, run.actors.writeProjectId),
      name: 'POST /tasks, bare node:http',
      diagnostic: true,
    };
    process.stdout.write(`  ${scenario.name}… `);
    const measured = summarise([await overHttp(run, bare, scenario, timing)]);
    say(`${Math.round(measured.throughput)} req/s`);
    return { scenario, host: measured, baseline: writes.baseline };
  } finally {
    await bare.stop();
  }
}

/**
 * What live updates cost the writers: the direct POST with its wake-ups (as the host sends them)
 * and without, in alternating quarters of the window, so that background work (the host's
 * sweeper publishing the baseline's rows) weighs on both sides alike.
 */
async function runLiveUpdatesCost(
  run: Run,
  timing: Timing,
): Promise<{ readonly on: Measurement; readonly off: Measurement }> {
  const { userId, writeProjectId } = run.actors;
  const sides = {
    on: createTaskScenario(userId, writeProjectId, run.wake),
    off: createTaskScenario(userId, writeProjectId),
  };
  const slices: Record<keyof typeof sides, Slice[]> = { on: [], off: [] };
  process.stdout.write('  POST /tasks, direct with and without wake-ups, alternating… ');
  for (const side of ['on', 'off', 'on', 'off'] as const) {
    slices[side].push(
      await measureSlice(
        directLoad(run.config.connections, () => sides[side].direct(run.pool)),
        { warmupMs: RESUME_WARMUP_MS, windowMs: timing.windowMs / 4 },
        () => sampleCpu(run.host.pid, run.database.databaseName),
      ),
    );
  }
  const on = summarise(slices.on);
  const off = summarise(slices.off);
  say(`${Math.round(on.throughput)} vs ${Math.round(off.throughput)} ops/s`);
  return { on, off };
}

function liveUpdatesNote({ on, off }: { on: Measurement; off: Measurement }): string {
  const line = (m: Measurement): string =>
    `${Math.round(m.throughput).toLocaleString('en-US')} ops/s, p50 ${m.p50Ms.toFixed(1)} ms, p99 ${m.p99Ms.toFixed(1)} ms`;
  return (
    `direct POST with live-stream wake-ups (as the host sends them): ${line(on)}; without: ${line(off)} ` +
    `(with/without ${(on.throughput / off.throughput).toFixed(2)})`
  );
}

/**
 * The database's own limit for a create: pgbench running the host's statement for it (the one
 * write, which confirms the caller's access) at the same concurrency and for the same window,
 * with fresh ids per transaction. Null when no pgbench binary is found.
 */
async function runPgbenchLimit(run: Run, timing: Timing): Promise<PgbenchResult | null> {
  const binary = findPgbench();
  if (binary === null) {
    say('  pgbench: not found on PATH or under /usr/lib/postgresql/*/bin; its rows are skipped');
    return null;
  }
  const script = pgbenchScript(
    (ids) => createTaskStatements(run.actors.userId, run.actors.writeProjectId, 1, ids),
    uuidV7Generator,
  );
  process.stdout.write(`  POST /tasks statements, pgbench (${binary})… `);
  const result = await runPgbench({
    binary,
    databaseUrl: run.database.url,
    script,
    clients: run.config.connections,
    seconds: Math.max(1, Math.round(timing.windowMs / 1000)),
    sessionOptions: POSTGRES_SESSION_OPTIONS,
  });
  say(
    `${Math.round(result.throughput)} tx/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${String(result.failed)} failed`,
  );
  return result;
}

/** The host's POST against pgbench of the same statements: the write-path targets. */
function pgbenchChecks(writes: ScenarioResult, limit: PgbenchResult): TargetCheck[] {
  const ratio = writes.host.throughput / limit.throughput;
  const p99Ratio = writes.host.p99Ms / limit.p99Ms;
  return [
    {
      label: 'POST /tasks, host ÷ pgbench ≥ 0.6',
      value: ratio.toFixed(2),
      pass: ratio >= 0.6,
      note: `${Math.round(writes.host.throughput)} req/s ÷ ${Math.round(limit.throughput)} tx/s`,
    },
    {
      label: 'POST /tasks p99, host ÷ pgbench ≤ 2.0',
      value: p99Ratio.toFixed(2),
      pass: p99Ratio <= 2,
      note: `${writes.host.p99Ms.toFixed(1)} ms ÷ ${limit.p99Ms.toFixed(1)} ms`,
    },
  ];
}

/** Rows the write scenario left must match the successes counted (plus requests cut off in flight). */
async function checkWrites(
  persistence: Persistence,
  actors: Actors,
  results: readonly ScenarioResult[],
  extra: readonly Measurement[],
  connections: number,
): Promise<string> {
  const { rows } = await persistence.db.query<{ tasks: number; outbox: number; audit: number }>({
    text: `SELECT (SELECT count(*) FROM tasks WHERE project_id = $1) AS tasks,
                  (SELECT count(*) FROM outbox WHERE project_id = $1 AND type = 'task.created') AS outbox,
                  (SELECT count(*) FROM task_updates u JOIN tasks t ON t.id = u.task_id WHERE t.project_id = $1) AS audit`,
    values: [actors.writeProjectId],
  });
  // Each side's successes once (a diagnostic row reuses the baseline), plus the smoke test's task.
  const sides = new Set([...results.flatMap((r) => [r.host, r.baseline]), ...extra]);
  const counted = [...sides].reduce((sum, side) => sum + side.totalOk, 1);
  // Each HTTP slice may stop with one request in flight per connection (at most two per row).
  const cutOff = connections * 2 * results.length;
  const found = rows[0] ?? { tasks: 0, outbox: 0, audit: 0 };
  const consistent =
    found.tasks >= counted &&
    found.tasks <= counted + cutOff &&
    found.outbox === found.tasks &&
    found.audit === found.tasks;
  const text = `rows written: ${found.tasks} tasks, ${found.outbox} outbox, ${found.audit} audit rows for ${counted} successes counted`;
  if (!consistent) throw new Error(`write check failed: ${text}`);
  return text;
}

async function main(cleanup: Cleanup): Promise<number> {
  const started = performance.now();
  const config = loadBenchConfig();
  say(`Taskflow API benchmark, ${new Date().toISOString()}`);

  const database = await openRunDatabase(cleanup, config.adminUrl, (db) => machineLine(config, db));
  const { persistence, actors, jwtSecret } = await openBenchPersistence(cleanup, database, {
    label: 'seed pool',
    applicationName: 'taskflow-bench-seed',
    size: 2,
  });
  const seedStarted = performance.now();
  await seedTasks(persistence, actors.readProjectId, actors.userId, config.seedTasks);
  say(
    `seeded ${config.seedTasks.toLocaleString('en-US')} tasks in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  const host = await startBenchHost(cleanup, database, config, jwtSecret);
  say(`host RSS after start: ${host.memory().rssMb.toFixed(0)} MB`);

  const pool = new Pool({
    connectionString: database.url,
    max: config.poolSize,
    application_name: 'taskflow-bench-direct',
    options: POSTGRES_SESSION_OPTIONS,
    // The host's pool settings (Database.connect), so both sides hold identical sessions.
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', () => undefined);
  cleanup.add('direct pool', () => pool.end());
  const wakeups = new PgChangeNotifications(async () => {
    const client = new Client({
      connectionString: database.url,
      options: POSTGRES_SESSION_OPTIONS,
    });
    await client.connect();
    return client;
  });
  cleanup.add('direct wake-ups', () => wakeups.close());

  await smokeTest(host, actors);

  let peakSampledMb = 0;
  const rssSampler = setInterval(() => {
    try {
      peakSampledMb = Math.max(peakSampledMb, host.memory().rssMb);
    } catch {
      // The host is gone: the scenario that runs will report it.
    }
  }, 200);
  rssSampler.unref();

  const writeTiming = { warmupMs: config.warmupMs, windowMs: config.writeWindowMs };
  const readTiming = { warmupMs: config.warmupMs, windowMs: config.readWindowMs };
  say('measuring (per scenario: host over HTTP, half the window; direct pg; host, other half):');
  const results: ScenarioResult[] = [];
  const notes: string[] = [];
  const extraChecks: TargetCheck[] = [];
  const context: Run = {
    config,
    database,
    actors,
    host,
    pool,
    wake: (projectIds) => wakeups.wake(projectIds),
  };
  const run = async (scenario: Scenario, timing: Timing): Promise<ScenarioResult> => {
    const result = await runScenario(context, scenario, timing);
    results.push(result);
    return result;
  };
  if (config.scenarios.includes('create')) {
    const writes = await run(
      createTaskScenario(actors.userId, actors.writeProjectId, context.wake),
      writeTiming,
    );
    const written = [writes];
    const extra: Measurement[] = [];
    if (config.diagnoseBare) {
      const bare = await runBare(context, writes, writeTiming);
      results.push(bare);
      written.push(bare);
    }
    // What live updates cost the writers: the direct POST with and without its wake-ups.
    const live = await runLiveUpdatesCost(context, writeTiming);
    extra.push(live.on, live.off);
    notes.push(liveUpdatesNote(live));
    const liveRatio = live.on.throughput / live.off.throughput;
    extraChecks.push({
      label: 'direct POST, live updates on ÷ off ≥ 0.95',
      value: liveRatio.toFixed(2),
      pass: liveRatio >= 0.95,
      note: `${Math.round(live.on.throughput)} ÷ ${Math.round(live.off.throughput)} ops/s`,
    });
    notes.push(await checkWrites(persistence, actors, written, extra, config.connections));
    // After the check: pgbench's rows are not the host's.
    const limit = await runPgbenchLimit(context, writeTiming);
    if (limit !== null) extraChecks.push(...pgbenchChecks(writes, limit));
  }
  // The baselines' writes (direct and pgbench) left outbox rows that the host's sweeper would
  // publish during the read windows, billing the reads for it: they are taken as published.
  const { rows: cleared } = await persistence.db.query<{ n: number }>({
    text: 'WITH d AS (DELETE FROM outbox_pending RETURNING 1) SELECT count(*) AS n FROM d',
    values: [],
  });
  say(`  outbox rows of the baselines' writes taken as published: ${String(cleared[0]?.n ?? 0)}`);
  // What autovacuum does after this many inserts: the reads are planned on current statistics.
  await persistence.db.query({ text: 'ANALYZE tasks', values: [] });
  if (config.scenarios.includes('get')) {
    let ids = await sampleTaskIds(persistence, actors.writeProjectId, 10_000);
    if (ids.length < 1_000) ids = await sampleTaskIds(persistence, actors.readProjectId, 10_000);
    await run(getTaskScenario(actors.userId, ids), readTiming);
  }
  // Cursors skip the oldest 10 %, so that every page after one is a full page of 50.
  const cursorIds = await sampleTaskIds(
    persistence,
    actors.readProjectId,
    2_000,
    Math.floor(config.seedTasks / 10),
  );
  const lists = [
    ['list-status', { status: 'in_progress' }],
    ['list-label', { label: 'bug' }],
  ] as const;
  for (const [key, filter] of lists) {
    if (!config.scenarios.includes(key)) continue;
    const scenario = listTasksScenario(actors.userId, actors.readProjectId, filter, cursorIds);
    await run(scenario, readTiming);
    if (scenario.explain)
      notes.push(`${scenario.name} first page: ${await planOf(persistence, scenario.explain)}`);
  }
  if (results.some((r) => r.scenario.explain !== undefined)) {
    notes.push(
      `tasks newer than the seeded project's newest: ${await newerThanSeeded(persistence, actors)}`,
    );
  }
  clearInterval(rssSampler);
  const memory = host.memory();

  say();
  say(resultsTable(results));
  say();
  say(
    `CPU per request over the window (µs), and the share of all ${availableParallelism()} cores used by ` +
      'our processes (server, load generator or direct workers, postgres) and by all others:',
  );
  say(cpuTable(results, availableParallelism()));
  say();
  say(
    `host peak RSS (VmHWM, whole life): ${memory.peakMb.toFixed(0)} MB; ` +
      `highest sampled under load: ${peakSampledMb.toFixed(0)} MB; now: ${memory.rssMb.toFixed(0)} MB`,
  );
  for (const note of notes) say(note);
  say();
  say(targetsText([...targetChecks(results, memory.peakMb, RSS_TARGET_MB), ...extraChecks]));

  const failures = results.reduce(
    (sum, r) => sum + r.host.unexpected + r.host.errors + r.baseline.unexpected + r.baseline.errors,
    0,
  );
  const hostOutput = host.outputTail();
  if (hostOutput.length > 0) say(`\nhost output (last lines):\n${hostOutput.join('\n')}`);
  say(`\nfinished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failures > 0) {
    process.stderr.write(
      `INVALID RUN: ${failures} requests or operations did not succeed (see non-2xx/err)\n`,
    );
    return 1;
  }
  return 0;
}

runBenchmark(main);
