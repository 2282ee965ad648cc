import { FakeEventBridge, seededRandom } from '@taskflow/platform-testing';
import { BusLedger } from './harness/bus-ledger';
import { type FaultDatabase, openFaultDatabase } from './harness/fault-database';
import { printFigures, since } from './harness/figures';
import { HostProcess } from './harness/host-process';
import { type IdempotentAnswer, IdempotentClient, runConcurrently } from './harness/http-load';
import { SseFollower } from './harness/sse-follower';
import { Availability, settle, waitUntil } from './harness/wait';

/** Events the run produces: one `task.created` per request. */
const EVENTS = 5_000;
const CONCURRENCY = 32;
/** The SSE follower drops its connection once this many requests have been answered... */
const DROP_AFTER = 1_250;
/** ...and the host is killed once this many have. */
const KILL_AFTER = 2_500;
/**
 * The bus answers each PutEvents call after this long, so that at any moment some committed
 * events are still on their way to the bus: the crash always strands some.
 */
const BUS_LATENCY_MS = 20;
/** Answered requests sent again after the restart, as a client that lost the answers would. */
const RESENT = 250;
const SCENARIO_TIMEOUT_MS = 240_000;

/** What the crash left and how the restarted host recovered. */
interface Crash {
  /** Committed events not yet acknowledged by the bus when the host died. */
  readonly strandedIds: readonly string[];
  readonly committedAtKill: number;
  readonly restartMs: number;
  /**
   * Milliseconds from restart until every event committed before the kill was on the bus, or
   * null if they never all got there.
   */
  readonly drained: Promise<number | null>;
  readonly restartedAt: number;
}

/** Everything the scenario did, for the properties to check. */
interface Run {
  readonly projectId: string;
  readonly client: IdempotentClient;
  readonly ledger: BusLedger;
  readonly follower: SseFollower;
  /** The stream position the follower started after. */
  readonly followedFrom: { readonly tx: string; readonly id: string };
  readonly crash: Crash;
  /** The first answer's task id per request. */
  readonly taskIds: readonly string[];
  /** Requests answered before the kill and sent again after it, with their new answers. */
  readonly resent: readonly {
    readonly index: number;
    readonly taskId: string;
    readonly replayed: boolean;
  }[];
}

/** Stream positions (`tx.id`) of a project's events after `after`, in the stream's order. */
async function positionsAfter(
  db: FaultDatabase,
  projectId: string,
  after: { tx: string; id: string },
): Promise<string[]> {
  const rows = await db.rows<{ position: string }>(
    `SELECT tx::text || '.' || id AS position FROM outbox
      WHERE project_id = $1 AND (tx, id) > ($2::bigint, $3::uuid) ORDER BY tx, id`,
    [projectId, after.tx, after.id],
  );
  return rows.map((row) => row.position);
}

async function outboxIds(db: FaultDatabase): Promise<string[]> {
  return (await db.rows<{ id: string }>('SELECT id FROM outbox')).map((row) => row.id);
}

/**
 * The host in a child process, publishing to a fake EventBridge; 5,000 `POST /tasks`, each with
 * an Idempotency-Key, from 32 clients that resend whatever got no answer; an SSE client following
 * the project, which drops its connection at a quarter of the load and resumes with
 * Last-Event-ID; kill -9 of the host at half the load, restart on the same database and port.
 */
async function runScenario(
  db: FaultDatabase,
  fake: FakeEventBridge,
  host: HostProcess,
): Promise<Run> {
  const started = performance.now();
  const { token, userId } = await db.login('crash@example.com');
  const project = await db.core.projects.create(
    { name: 'Crash' },
    { actorId: userId, correlationId: 'fault-host-crash' },
  );
  const [head] = await db.rows<{ tx: string; id: string }>(
    // Ordered by the column, not by the text alias: '999' sorts after '1000'.
    `SELECT tx::text AS tx, id FROM outbox WHERE project_id = $1
      ORDER BY outbox.tx DESC, outbox.id DESC LIMIT 1`,
    [project.id],
  );
  if (head === undefined) throw new Error('the project has no event');
  const availability = new Availability();
  const client = new IdempotentClient(() => host.url, token, availability);
  const ledger = new BusLedger(fake);
  // It starts from the project's last event so far, as a client that saw it would.
  const follower = new SseFollower(
    () => `${host.url}/projects/${project.id}/stream`,
    { authorization: `Bearer ${token}` },
    availability,
    `${head.tx}.${head.id}`,
  );
  await waitUntil(
    () => follower.connections,
    (n) => n >= 1,
    { what: 'the stream to open' },
  );

  const killAndRestart = async (): Promise<Crash> => {
    availability.outage();
    await host.kill9();
    const killedAt = performance.now();
    const strandedIds = (await db.rows<{ id: string }>('SELECT id FROM outbox_pending')).map(
      (row) => row.id,
    );
    const committedAtKill = await db.count(
      'SELECT count(*) AS n FROM tasks WHERE project_id = $1',
      [project.id],
    );
    const beforeKill = await outboxIds(db);
    await host.restart();
    const restartedAt = performance.now();
    availability.restored();
    const drained = settle(
      () => ledger.missing(beforeKill).length,
      (missing) => missing === 0,
      { what: 'the events committed before the kill to reach the bus', timeoutMs: 60_000 },
    ).then(({ met }) => (met ? since(restartedAt) : null));
    return {
      strandedIds,
      committedAtKill,
      restartMs: Math.round(restartedAt - killedAt),
      drained,
      restartedAt,
    };
  };

  const createTask = (index: number): Promise<IdempotentAnswer> =>
    client.post(
      '/tasks',
      { projectId: project.id, title: `fault task ${index}` },
      `fault-key-${index}`,
    );
  let acknowledged = 0;
  const taskIds: string[] = [];
  const answeredBeforeKill: number[] = [];
  let crash: Promise<Crash> | undefined;
  await runConcurrently(EVENTS, CONCURRENCY, async (index) => {
    const answer = await createTask(index);
    taskIds[index] = String(answer.body['id']);
    if (crash === undefined) answeredBeforeKill.push(index);
    acknowledged += 1;
    if (acknowledged === DROP_AFTER) follower.drop();
    if (acknowledged === KILL_AFTER) crash = killAndRestart();
  });
  const loadMs = since(started);
  if (crash === undefined) throw new Error('the host was never killed');
  const crashed = await crash;
  const drainMs = await crashed.drained;
  // Answers lost on the way back: the client sends those requests again, same key, same body.
  const random = seededRandom(5_000);
  const lost = answeredBeforeKill.filter(() => random() < RESENT / answeredBeforeKill.length);
  const resent: { index: number; taskId: string; replayed: boolean }[] = [];
  await runConcurrently(lost.length, 8, async (at) => {
    const index = lost[at] ?? -1;
    const answer = await createTask(index);
    resent.push({ index, taskId: String(answer.body['id']), replayed: answer.replayed });
  });

  // The follower catches up; a last write after that shows any repeat of an earlier event
  // ahead of it. Then the outbox drains. A wait that gives up does not end the scenario: the
  // property it was waiting for is then checked, and reported, by its own test.
  await settle(
    async () => ({
      expected: (await positionsAfter(db, project.id, head)).length,
      received: follower.events.length,
    }),
    (state) => state.received >= state.expected,
    { what: 'the SSE follower to catch up', timeoutMs: 30_000 },
  );
  const sentinel = (
    await client.post('/tasks', { projectId: project.id, title: 'sentinel' }, 'fault-sentinel')
  ).body;
  await settle(
    () => follower.events.some((event) => event.data.includes(String(sentinel['id']))),
    (seen) => seen,
    { what: 'the sentinel on the stream', timeoutMs: 30_000 },
  );
  await follower.stop();
  const logged = await outboxIds(db);
  // Done once nothing is pending: each event acknowledged by the bus (which records an entry
  // before it answers), or set aside for good.
  await settle(
    () => db.count('SELECT count(*) AS n FROM outbox_pending'),
    (pending) => pending === 0,
    { what: 'the outbox to drain onto the bus', timeoutMs: 60_000 },
  );

  const perConnection = new Map<number, number>();
  for (const event of follower.events)
    perConnection.set(event.connection, (perConnection.get(event.connection) ?? 0) + 1);
  printFigures('host kill -9 mid-stream (5,000 events, an SSE follower)', {
    'events produced (outbox)': logged.length,
    'entries accepted by the bus': ledger.accepted,
    'duplicates on the bus': ledger.duplicates,
    'requests sent (with retries)': client.stats.requests,
    'requests cut by the crash': client.stats.networkFailures,
    'answers replayed from the idempotency store': client.stats.replayed,
    'tasks committed at the kill': crashed.committedAtKill,
    'events stranded at the kill': crashed.strandedIds.length,
    'answered requests sent again': resent.length,
    'restart (ms)': crashed.restartMs,
    'restart to SSE resumed (ms)': Math.round(
      (follower.openedAt.at(-1) ?? 0) - crashed.restartedAt,
    ),
    'restart to pre-kill events all on the bus (ms)': drainMs ?? 'never',
    'SSE events received': follower.events.length,
    'SSE events per connection': [...perConnection.values()].join(' / '),
    'load (ms)': loadMs,
    'total (ms)': since(started),
  });
  return {
    projectId: project.id,
    client,
    ledger,
    follower,
    followedFrom: head,
    crash: crashed,
    taskIds,
    resent,
  };
}

describe('kill -9 of the host while 5,000 events are being produced', () => {
  let db: FaultDatabase;
  let fake: FakeEventBridge;
  let host: HostProcess;
  let run: Run;

  beforeAll(async () => {
    db = await openFaultDatabase('fault_host_crash');
    fake = await FakeEventBridge.start({ latencyMs: BUS_LATENCY_MS });
    host = await HostProcess.start({
      databaseUrl: db.url,
      env: {
        EVENT_BUS_NAME: 'taskflow-fault',
        EVENTBRIDGE_ENDPOINT: fake.url,
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'fault',
        AWS_SECRET_ACCESS_KEY: 'fault',
      },
    });
    run = await runScenario(db, fake, host);
  }, SCENARIO_TIMEOUT_MS);

  afterAll(async () => {
    await host.stop();
    await fake.stop();
    await db.close();
  });

  it('killed the host mid-stream: requests were cut and committed events stranded', async () => {
    expect(run.client.stats.networkFailures).toBeGreaterThan(0);
    expect(run.crash.strandedIds.length).toBeGreaterThan(0);
    expect(run.crash.committedAtKill).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(run.crash.committedAtKill).toBeLessThan(EVENTS);
    expect(await db.count('SELECT count(*) AS n FROM outbox')).toBeGreaterThan(EVENTS);
  });

  it('after the restart, every committed event reaches the bus at least once, and nothing else does', async () => {
    const logged = await outboxIds(db);
    const deliveries = run.ledger.deliveries();

    expect(run.ledger.missing(logged)).toEqual([]);
    const known = new Set(logged);
    // No event of a rolled-back transaction (a request cut by the crash) escaped.
    expect([...deliveries.keys()].filter((id) => !known.has(id))).toEqual([]);
    expect(await db.count('SELECT count(*) AS n FROM outbox_pending')).toBe(0);
    // Repeats are explained: only events whose publication the crash interrupted went twice.
    const stranded = new Set(run.crash.strandedIds);
    const repeated = [...deliveries].filter(([, count]) => count > 1).map(([id]) => id);
    expect(repeated.filter((id) => !stranded.has(id))).toEqual([]);
  });

  it('every request takes effect exactly once: one task, one stored answer, one event per key', async () => {
    const perTitle = await db.rows<{ title: string; n: number }>(
      'SELECT title, count(*) AS n FROM tasks WHERE project_id = $1 GROUP BY title',
      [run.projectId],
    );

    expect(perTitle.filter((row) => row.n !== 1)).toEqual([]);
    expect(new Set(perTitle.map((row) => row.title))).toEqual(
      new Set([...Array.from({ length: EVENTS }, (_, index) => `fault task ${index}`), 'sentinel']),
    );
    expect(await db.count('SELECT count(*) AS n FROM idempotency_keys')).toBe(EVENTS + 1);
    // A request sent again after the restart is answered from the store: the same task.
    expect(run.resent.length).toBeGreaterThan(0);
    expect(run.resent.filter((r) => !r.replayed || r.taskId !== run.taskIds[r.index])).toEqual([]);
    expect(await db.count("SELECT count(*) AS n FROM outbox WHERE type = 'task.created'")).toBe(
      EVENTS + 1,
    );
  });

  it('an SSE client resuming with Last-Event-ID, after its drop and after the restart, gets every event exactly once, in order', async () => {
    const expected = await positionsAfter(db, run.projectId, run.followedFrom);
    const received = run.follower.events.map((event) => event.id);

    // It did resume: once after its own drop, once after the host came back.
    expect(run.follower.connections).toBeGreaterThanOrEqual(3);
    expect(expected).toHaveLength(EVENTS + 1);
    const seen = new Set<string>();
    const repeated = received.filter((position) => seen.has(position) || !seen.add(position));
    expect(expected.filter((position) => !seen.has(position))).toEqual([]);
    expect(repeated).toEqual([]);
    expect(received).toEqual(expected);
  });
});
