import { z } from 'zod';
import { commaList, type HostBenchConfig, parseBenchEnv, seconds } from './bench-env';

const ENV_SHAPE = {
  BENCH_SUBSCRIBERS: z.coerce.number().int().min(1).max(2_000).default(200),
  BENCH_SSE_PROJECTS: z.coerce.number().int().min(1).max(100).default(1),
  BENCH_SSE_THREADS: z.coerce.number().int().min(1).max(16).default(2),
  BENCH_WRITE_RATE: z.coerce.number().positive().max(5_000).default(500),
  BENCH_SSE_S: seconds(20),
  BENCH_WRITE_CONNECTIONS: z.coerce.number().int().min(1).max(512).default(64),
  BENCH_FLAT_SUBSCRIBERS: z.coerce.number().int().min(1).max(2_000).default(20),
  BENCH_FLAT_CONNECTIONS: z.coerce.number().int().min(1).max(512).default(32),
  BENCH_RELAY_EVENTS: z.coerce.number().int().min(100).max(200_000).default(10_000),
  BENCH_RELAY_ROUNDS: z.coerce.number().int().min(1).max(15).default(5),
  BENCH_RELAY_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  BENCH_PARTS: commaList(['sse', 'flat', 'relay'], 1).optional(),
};

/** How one run of `npm run bench:events` is set up; the report names every setting. */
export interface EventsBenchConfig extends HostBenchConfig {
  /** SSE clients held open during the latency measurement. */
  readonly subscribers: number;
  /** Projects the subscribers and the writes are spread over, evenly (1: the hardest fan-out). */
  readonly sseProjects: number;
  /** Worker threads of the benchmark process holding the streams (the writer has the main one). */
  readonly sseThreads: number;
  /** Writes per second, on an open-loop schedule. */
  readonly writeRate: number;
  /** Measured window of the latency part: writes scheduled in it are the ones measured. */
  readonly sseWindowMs: number;
  /** Most HTTP connections the writer opens (requests beyond them queue in the agent). */
  readonly writeConnections: number;
  /** SSE clients held open while POST /tasks runs flat out (the 'flat' part). */
  readonly flatSubscribers: number;
  /** Writers of the 'flat' part, each sending its next write when the last is answered. */
  readonly flatConnections: number;
  /** Events in the outbox each relay round drains. */
  readonly relayEvents: number;
  /** Relay / bare-client pairs measured; the median ratio is the verdict's. */
  readonly relayRounds: number;
  /** Relays sweeping at once, and bare senders at once. */
  readonly relayConcurrency: number;
  /** Which parts to run. */
  readonly parts: readonly ('sse' | 'flat' | 'relay')[];
}

/** Reads the benchmark's knobs from the environment (the only place the tool reads it). */
export function loadEventsBenchConfig(env: NodeJS.ProcessEnv = process.env): EventsBenchConfig {
  const { env: e, host } = parseBenchEnv(ENV_SHAPE, env);
  if (e.BENCH_SSE_PROJECTS > Math.min(e.BENCH_SUBSCRIBERS, e.BENCH_FLAT_SUBSCRIBERS)) {
    throw new Error('invalid benchmark configuration: more projects than subscribers');
  }
  return {
    ...host,
    subscribers: e.BENCH_SUBSCRIBERS,
    sseProjects: e.BENCH_SSE_PROJECTS,
    sseThreads: e.BENCH_SSE_THREADS,
    writeRate: e.BENCH_WRITE_RATE,
    sseWindowMs: e.BENCH_SSE_S * 1000,
    writeConnections: e.BENCH_WRITE_CONNECTIONS,
    flatSubscribers: e.BENCH_FLAT_SUBSCRIBERS,
    flatConnections: e.BENCH_FLAT_CONNECTIONS,
    relayEvents: e.BENCH_RELAY_EVENTS,
    relayRounds: e.BENCH_RELAY_ROUNDS,
    relayConcurrency: e.BENCH_RELAY_CONCURRENCY,
    parts: e.BENCH_PARTS ?? ['sse', 'flat', 'relay'],
  };
}
