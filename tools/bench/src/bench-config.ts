import { z } from 'zod';
import { commaList, type HostBenchConfig, parseBenchEnv, seconds } from './bench-env';

/** Scenario keys, in the order they run (reads use the tasks the writes created). */
export const SCENARIO_KEYS = ['create', 'get', 'list-status', 'list-label'] as const;

/** One scenario's key. */
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

const ENV_SHAPE = {
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(512).default(32),
  BENCH_WRITE_S: seconds(15),
  BENCH_READ_S: seconds(10),
  BENCH_SEED_TASKS: z.coerce.number().int().min(1_000).max(1_000_000).default(100_000),
  BENCH_DIAGNOSE: commaList(['bare']).optional(),
  BENCH_SCENARIOS: commaList(SCENARIO_KEYS, 1).optional(),
};

/** How one benchmark run is set up; every figure it prints names these. */
export interface BenchConfig extends HostBenchConfig {
  /** Connections in the host's pool and in the baseline's pool alike. */
  readonly poolSize: number;
  /** Concurrent HTTP connections, and concurrent baseline workers. */
  readonly connections: number;
  readonly writeWindowMs: number;
  readonly readWindowMs: number;
  /** Tasks in the project the list scenarios read. */
  readonly seedTasks: number;
  /** Also measure POST /tasks on a bare node:http server doing the direct path's work. */
  readonly diagnoseBare: boolean;
  /** Scenarios to run (all by default; a subset is for profiling one path). */
  readonly scenarios: readonly ScenarioKey[];
}

/** Reads the benchmark's knobs from the environment (the only place the tool reads it). */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const { env: e, host } = parseBenchEnv(ENV_SHAPE, env);
  return {
    ...host,
    connections: e.BENCH_CONNECTIONS,
    writeWindowMs: e.BENCH_WRITE_S * 1000,
    readWindowMs: e.BENCH_READ_S * 1000,
    seedTasks: e.BENCH_SEED_TASKS,
    diagnoseBare: e.BENCH_DIAGNOSE?.includes('bare') ?? false,
    scenarios: e.BENCH_SCENARIOS ?? SCENARIO_KEYS,
  };
}
