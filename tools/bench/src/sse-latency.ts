import { Agent, request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { type CpuUse, percentile } from './measurement';
import { type CpuSample, postgresCpuBetween } from './proc-stats';
import { createTaskInput } from './scenarios';
import {
  type SubscriberThreadCommand,
  type SubscriberThreadInput,
  type SubscriberThreadMessage,
  type ThreadArrivals,
  sharedClockMs,
} from './sse-subscriber';

/** How the latency part loads the host. */
export interface SseLoadOptions {
  /** The host, e.g. http://127.0.0.1:41234. */
  readonly baseUrl: string;
  /** Bearer token of a member of every project. */
  readonly token: string;
  /** Projects the subscribers and the writes are spread over, round-robin. */
  readonly projectIds: readonly string[];
  readonly subscribers: number;
  /** Threads of this process the streams are spread over (the writer has the main thread). */
  readonly threads: number;
  /**
   * Writes per second, open loop: each write is sent at its scheduled time, answered or not; or
   * 'flat-out': closed loop, each of `writeConnections` writers sends its next write as soon as
   * the last one is answered, so the host writes as fast as it can.
   */
  readonly writeRate: number | 'flat-out';
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Most connections the writer holds; requests beyond them wait in the agent. */
  readonly writeConnections: number;
  /** CPU of the host, this process, PostgreSQL and the machine, sampled at the window's edges. */
  readonly sample: () => CpuSample;
  /**
   * When the server records commit times: each task's commit time on the shared clock, read
   * once the deliveries are in, and how far that clock alignment may be off (± ms).
   */
  readonly commitTimes: (() => Promise<CommitTimes>) | null;
}

/** Commit times of the written tasks, by task id, on the shared clock. */
export interface CommitTimes {
  readonly byTask: ReadonlyMap<string, number>;
  /** Half the round trip of the best clock comparison with the server. */
  readonly uncertaintyMs: number;
}

/** A distribution of latencies in milliseconds (missing deliveries counted as infinitely late). */
export interface Distribution {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly minMs: number;
  /** Values below zero: the event reached a subscriber before the write's response reached the writer. */
  readonly negative: number;
}

/** What the latency part measured. */
export interface SseLatencyResult {
  readonly subscribers: number;
  readonly threads: number;
  /** How long opening every stream took (each answers once the hub has registered it). */
  readonly connectMs: number;
  /** Writes scheduled (sent, when flat out) in the window, and those answered 201. */
  readonly writesScheduled: number;
  readonly writesOk: number;
  /** Writes answered otherwise, or failed on the connection (whole run). */
  readonly writesUnexpected: number;
  readonly writeErrors: number;
  /** Responses with 201 that arrived inside the window, per second of window. */
  readonly achievedWriteRate: number;
  /** Scheduled time to response of a measured write (queueing for a connection included). */
  readonly writeLatency: Distribution;
  /** Most writes in flight at once (a host that falls behind piles them up). */
  readonly maxInFlight: number;
  /** How late the writer sent writes against their schedule (its own event loop lagging). */
  readonly sendLagP99Ms: number;
  /** Deliveries expected for the measured writes (writes × subscribers of their project). */
  readonly deliveriesExpected: number;
  readonly deliveriesReceived: number;
  /** Expected deliveries that never came within the drain time after the last write. */
  readonly deliveriesMissing: number;
  /** Up to 20 writes whose event did not reach every subscriber, and how many it reached. */
  readonly missingTasks: readonly { readonly taskId: string; readonly received: number }[];
  /** Deliveries of a measured write beyond one per subscriber. */
  readonly duplicates: number;
  /** Streams the host ended or cut before the benchmark closed them. */
  readonly streamsCut: number;
  /** SSE arrival − the write's commit time as PostgreSQL recorded it, when it records them. */
  readonly fromCommit: (Distribution & { readonly uncertaintyMs: number }) | null;
  /** SSE arrival − the write's response arrival: a lower bound of commit-to-SSE. */
  readonly fromResponse: Distribution;
  /** SSE arrival − the moment the write's request was flushed to its socket: an upper bound. */
  readonly fromRequest: Distribution;
  /** Event-loop delay over the window, p99 in ms, of the writer's thread and the worst stream thread. */
  readonly writerLoopDelayP99Ms: number;
  readonly readerLoopDelayP99Ms: number;
  /** Socket reads per stream per second in the window: about the host's writes per stream. */
  readonly readsPerStreamPerSecond: number;
  readonly windowMs: number;
  readonly cpu: CpuUse;
}

/** A write answered 201: when it was scheduled, sent and answered, on the shared clock. */
interface WriteRecord {
  readonly scheduledAt: number;
  readonly sentAt: number;
  readonly respondedAt: number;
  /** Subscribers of its project: deliveries to expect. */
  readonly expected: number;
  /** Scheduled inside the measured window. */
  readonly measured: boolean;
}

const DRAIN_MS = 5_000;
const WORKER = require.resolve('./sse-subscribers.worker');

/** A thread of this process holding some of the streams. */
class SubscriberThread {
  private readonly worker: Worker;
  private readonly opened: Promise<void>;
  private collected: ((arrivals: ThreadArrivals) => void) | null = null;
  /** Latest progress: arrivals recorded and socket reads so far. */
  arrivals = 0;
  chunks = 0;

  constructor(input: SubscriberThreadInput) {
    // The thread runs TypeScript like this process does: through tsx's require hook.
    this.worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER)});`, {
      eval: true,
      workerData: input,
    });
    this.opened = new Promise((resolve, reject) => {
      this.worker.on('error', reject);
      this.worker.on('message', (message: SubscriberThreadMessage) => {
        if (message.kind === 'open') resolve();
        else if (message.kind === 'failed') reject(new Error(message.error));
        else if (message.kind === 'progress') {
          this.arrivals = message.arrivals;
          this.chunks = message.chunks;
        } else this.collected?.(message);
      });
    });
  }

  /** Resolves once every stream of the thread answered 200. */
  open(): Promise<void> {
    return this.opened;
  }

  tell(command: SubscriberThreadCommand): void {
    this.worker.postMessage(command);
  }

  /** Closes the streams and returns every arrival recorded. */
  collect(): Promise<ThreadArrivals> {
    return new Promise((resolve) => {
      this.collected = resolve;
      this.tell({ kind: 'collect' });
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

function distribution(values: Float64Array): Distribution {
  const sorted = values.sort();
  let negative = 0;
  for (const value of sorted) {
    if (value >= 0) break;
    negative += 1;
  }
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    minMs: sorted.length === 0 ? Number.NaN : (sorted[0] ?? Number.NaN),
    negative,
  };
}

/**
 * Holds `subscribers` SSE streams open on the host, spread over `threads` worker threads, and
 * writes tasks (POST /tasks) from the main thread at `writeRate` per second on an open-loop
 * schedule, through a warm-up and a measured window; then waits up to 5 s for the last
 * deliveries. The latency of one delivery is the time its event reached a subscriber minus the
 * time the write's 201 response reached the writer, both on a clock all threads share.
 */
export async function measureSseLatency(options: SseLoadOptions): Promise<SseLatencyResult> {
  const projects = options.projectIds;
  const subscribersOf = projects.map(
    (_, p) =>
      Math.floor(options.subscribers / projects.length) +
      (p < options.subscribers % projects.length ? 1 : 0),
  );
  const urls = Array.from(
    { length: options.subscribers },
    (_, i) => `${options.baseUrl}/projects/${projects[i % projects.length] ?? ''}/stream`,
  );
  const threads = Array.from(
    { length: options.threads },
    (_, t) =>
      new SubscriberThread({
        urls: urls.filter((_, i) => i % options.threads === t),
        token: options.token,
      }),
  );
  try {
    const openStarted = performance.now();
    await Promise.all(threads.map((thread) => thread.open()));
    const connectMs = performance.now() - openStarted;
    const written = await write(options, subscribersOf, threads);
    const arrivals = await Promise.all(threads.map((thread) => thread.collect()));
    const commits = options.commitTimes === null ? null : await options.commitTimes();
    return { ...summarise(written, arrivals, commits, options), connectMs };
  } finally {
    await Promise.all(threads.map((thread) => thread.stop()));
  }
}

/** What the writer saw. */
interface Written {
  readonly byTask: ReadonlyMap<string, WriteRecord>;
  readonly counts: {
    readonly unexpected: number;
    readonly errors: number;
    readonly maxInFlight: number;
    readonly okInWindow: number;
  };
  /** Writes scheduled inside the measured window (flat out: sent inside it). */
  readonly scheduledInWindow: number;
  readonly sendLags: readonly number[];
  readonly windowMs: number;
  readonly chunksInWindow: number;
  readonly loopDelayP99Ms: number;
  readonly cpu: CpuUse;
}

async function write(
  options: SseLoadOptions,
  subscribersOf: readonly number[],
  threads: readonly SubscriberThread[],
): Promise<Written> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.writeConnections });
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  const rate = options.writeRate;
  const flatOut = rate === 'flat-out';
  const intervalMs = flatOut ? 0 : 1000 / rate;
  // Open loop: the writes of the schedule; flat out: unknown until the window ends.
  const total = flatOut
    ? Number.POSITIVE_INFINITY
    : Math.ceil(((options.warmupMs + options.windowMs) * rate) / 1000);
  const start = sharedClockMs() + 20;
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.windowMs;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  const byTask = new Map<string, WriteRecord>();
  const counts = { unexpected: 0, errors: 0, inFlight: 0, maxInFlight: 0, okInWindow: 0 };
  const sendLags: number[] = [];
  let expectedArrivals = 0;
  let sent = 0;
  let scheduledInWindow = 0;
  /** No more writes will be sent. */
  let sending = true;
  let allAnswered: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    allAnswered = resolve;
  });

  const post = (n: number, scheduledAt: number, answered?: () => void): void => {
    const issuedAt = sharedClockMs();
    const measured = scheduledAt >= windowStart && scheduledAt < windowEnd;
    if (measured) {
      scheduledInWindow += 1;
      sendLags.push(issuedAt - scheduledAt);
    }
    // When the request was handed to its socket (one waiting for a free connection in the agent
    // is not sent yet): the commit cannot come before it.
    let sentAt = Number.NaN;
    const project = n % options.projectIds.length;
    const body = JSON.stringify(createTaskInput(n, options.projectIds[project] ?? ''));
    counts.inFlight += 1;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
    const done = (): void => {
      counts.inFlight -= 1;
      answered?.();
      if (counts.inFlight === 0 && !sending) allAnswered();
    };
    const req = request(`${options.baseUrl}/tasks`, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const respondedAt = sharedClockMs();
        if (res.statusCode === 201) {
          const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string };
          if (respondedAt >= windowStart && respondedAt < windowEnd) counts.okInWindow += 1;
          const expected = subscribersOf[project] ?? 0;
          expectedArrivals += expected;
          byTask.set(id, { scheduledAt, sentAt, respondedAt, expected, measured });
        } else {
          counts.unexpected += 1;
        }
        done();
      });
    });
    req.on('finish', () => {
      sentAt = sharedClockMs();
    });
    req.on('error', () => {
      counts.errors += 1;
      done();
    });
    req.end(body);
  };

  const chunks = (): number => threads.reduce((sum, thread) => sum + thread.chunks, 0);
  const edges = {
    first: null as CpuSample | null,
    last: null as CpuSample | null,
    firstChunks: 0,
    lastChunks: 0,
  };
  const tellThreads = (open: boolean): void => {
    for (const thread of threads) thread.tell({ kind: 'window', open });
  };
  // Flat out: one chain per connection, each sending its next write when the last is answered.
  const next = (): void => {
    if (!sending) return;
    const now = sharedClockMs();
    if (now >= windowEnd) return;
    post(sent, now, next);
    sent += 1;
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = sharedClockMs();
      if (edges.first === null && now >= windowStart) {
        edges.first = options.sample();
        edges.firstChunks = chunks();
        loopDelay.enable();
        tellThreads(true);
      }
      if (edges.last === null && now >= windowEnd) {
        edges.last = options.sample();
        edges.lastChunks = chunks();
        loopDelay.disable();
        tellThreads(false);
      }
      if (flatOut) {
        if (sent === 0 && now >= start) {
          for (let c = 0; c < options.writeConnections; c += 1) next();
        }
      } else {
        while (sent < total && start + sent * intervalMs <= now) {
          post(sent, start + sent * intervalMs);
          sent += 1;
        }
      }
      if ((sent < total && !flatOut) || edges.last === null) setTimeout(tick, 1);
      else {
        sending = false;
        resolve();
      }
    };
    setTimeout(tick, Math.max(0, start - sharedClockMs()));
  });
  if (counts.inFlight > 0) await answered;
  agent.destroy();
  // The last deliveries: until every answered write reached every subscriber of its project.
  const drainUntil = performance.now() + DRAIN_MS;
  const received = (): number => threads.reduce((sum, thread) => sum + thread.arrivals, 0);
  while (performance.now() < drainUntil && received() < expectedArrivals) await sleep(50);

  const first = edges.first ?? options.sample();
  const last = edges.last ?? options.sample();
  return {
    byTask,
    counts,
    scheduledInWindow,
    sendLags,
    windowMs: last.atMs - first.atMs,
    chunksInWindow: edges.lastChunks - edges.firstChunks,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    cpu: {
      hostMs: last.hostMs - first.hostMs,
      benchMs: last.benchMs - first.benchMs,
      postgresMs: postgresCpuBetween(first, last),
      machineBusyMs: last.machineBusyMs - first.machineBusyMs,
    },
  };
}

/** Matches every arrival to its write and makes the distributions. */
function summarise(
  written: Written,
  threads: readonly ThreadArrivals[],
  commits: CommitTimes | null,
  options: SseLoadOptions,
): Omit<SseLatencyResult, 'connectMs'> {
  const arrivalsOf = new Map<string, number[]>();
  for (const thread of threads) {
    let at = 0;
    thread.taskIds.forEach((taskId, i) => {
      const count = thread.counts[i] ?? 0;
      const times = arrivalsOf.get(taskId) ?? [];
      for (let k = 0; k < count; k += 1) times.push(thread.times[at + k] ?? Number.NaN);
      arrivalsOf.set(taskId, times);
      at += count;
    });
  }
  const fromCommit: number[] = [];
  const fromResponse: number[] = [];
  const fromRequest: number[] = [];
  const writeLatencies: number[] = [];
  const missingTasks: { taskId: string; received: number }[] = [];
  let writesOk = 0;
  let expected = 0;
  let received = 0;
  let missing = 0;
  let duplicates = 0;
  for (const [taskId, record] of written.byTask) {
    if (!record.measured) continue;
    writesOk += 1;
    writeLatencies.push(record.respondedAt - record.scheduledAt);
    expected += record.expected;
    const times = arrivalsOf.get(taskId) ?? [];
    const counted = times.slice(0, record.expected);
    received += counted.length;
    duplicates += times.length - counted.length;
    const committedAt = commits?.byTask.get(taskId) ?? Number.NaN;
    for (const at of counted) {
      if (!Number.isNaN(committedAt)) fromCommit.push(at - committedAt);
      fromResponse.push(at - record.respondedAt);
      fromRequest.push(at - record.sentAt);
    }
    if (counted.length < record.expected && missingTasks.length < 20)
      missingTasks.push({ taskId, received: counted.length });
    for (let i = counted.length; i < record.expected; i += 1) {
      missing += 1;
      if (commits !== null) fromCommit.push(Number.POSITIVE_INFINITY);
      fromResponse.push(Number.POSITIVE_INFINITY);
      fromRequest.push(Number.POSITIVE_INFINITY);
    }
  }
  return {
    subscribers: options.subscribers,
    threads: options.threads,
    writesScheduled: written.scheduledInWindow,
    writesOk,
    writesUnexpected: written.counts.unexpected,
    writeErrors: written.counts.errors,
    achievedWriteRate: (written.counts.okInWindow * 1000) / options.windowMs,
    writeLatency: distribution(Float64Array.from(writeLatencies)),
    maxInFlight: written.counts.maxInFlight,
    sendLagP99Ms: percentile(Float64Array.from(written.sendLags).sort(), 0.99),
    deliveriesExpected: expected,
    deliveriesReceived: received,
    deliveriesMissing: missing,
    missingTasks,
    duplicates,
    streamsCut: threads.reduce((sum, thread) => sum + thread.cut, 0),
    fromCommit:
      commits === null
        ? null
        : {
            ...distribution(Float64Array.from(fromCommit)),
            uncertaintyMs: commits.uncertaintyMs,
          },
    fromResponse: distribution(Float64Array.from(fromResponse)),
    fromRequest: distribution(Float64Array.from(fromRequest)),
    writerLoopDelayP99Ms: written.loopDelayP99Ms,
    readerLoopDelayP99Ms: Math.max(...threads.map((thread) => thread.loopDelayP99Ms)),
    readsPerStreamPerSecond:
      (written.chunksInWindow * 1000) / (written.windowMs * options.subscribers),
    windowMs: written.windowMs,
    cpu: written.cpu,
  };
}
