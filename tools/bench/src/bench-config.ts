import { z } from 'zod';

/** Scenario keys, in the order they run (reads use the tasks the writes created). */
export const SCENARIO_KEYS = ['create', 'get', 'list-status', 'list-label'] as const;

/** One scenario's key. */
export type ScenarioKey = (typeof SCENARIO_KEYS)[number];

const seconds = (fallback: number) => z.coerce.number().positive().max(120).default(fallback);

const EnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  BENCH_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(16),
  BENCH_CONNECTIONS: z.coerce.number().int().min(1).max(512).default(32),
  BENCH_WARMUP_S: seconds(3),
  BENCH_WRITE_S: seconds(15),
  BENCH_READ_S: seconds(10),
  BENCH_SEED_TASKS: z.coerce.number().int().min(1_000).max(1_000_000).default(100_000),
  BENCH_CPU_PROF_DIR: z.string().min(1).optional(),
  BENCH_DIAGNOSE: z
    .string()
    .transform((list) => list.split(',').map((name) => name.trim()))
    .pipe(z.array(z.enum(['bare', 'notify'])))
    .optional(),
  BENCH_HOST: z.enum(['tsx', 'bundle']).default('bundle'),
  BENCH_SCENARIOS: z
    .string()
    .transform((list) => list.split(',').map((name) => name.trim()))
    .pipe(z.array(z.enum(SCENARIO_KEYS)).min(1))
    .optional(),
});

/** How one benchmark run is set up; every figure it prints names these. */
export interface BenchConfig {
  /** Server to create the run's fresh database on; null: start an embedded PostgreSQL. */
  readonly adminUrl: string | null;
  /** Connections in the host's pool and in the baseline's pool alike. */
  readonly poolSize: number;
  /** Concurrent HTTP connections, and concurrent baseline workers. */
  readonly connections: number;
  readonly warmupMs: number;
  readonly writeWindowMs: number;
  readonly readWindowMs: number;
  /** Tasks in the project the list scenarios read. */
  readonly seedTasks: number;
  /** When set, the host runs with `--cpu-prof` and writes its profile there on exit. */
  readonly cpuProfileDir: string | null;
  /**
   * How the host runs: from source through tsx (`npm start`), or the esbuild bundle that
   * `npx nx build host` writes to dist/apps/host/main.js (built beforehand).
   */
  readonly hostMode: 'tsx' | 'bundle';
  /** Also measure POST /tasks on a bare node:http server doing the direct path's work. */
  readonly diagnoseBare: boolean;
  /** Also measure the direct POST path without the statement's pg_notify. */
  readonly diagnoseNotify: boolean;
  /** Scenarios to run (all by default; a subset is for profiling one path). */
  readonly scenarios: readonly ScenarioKey[];
}

/** Reads the benchmark's knobs from the environment (the only place the tool reads it). */
export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(defined);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid benchmark configuration: ${issues.join('; ')}`);
  }
  const e = parsed.data;
  return {
    adminUrl: e.DATABASE_URL ?? null,
    poolSize: e.BENCH_POOL_SIZE,
    connections: e.BENCH_CONNECTIONS,
    warmupMs: e.BENCH_WARMUP_S * 1000,
    writeWindowMs: e.BENCH_WRITE_S * 1000,
    readWindowMs: e.BENCH_READ_S * 1000,
    seedTasks: e.BENCH_SEED_TASKS,
    cpuProfileDir: e.BENCH_CPU_PROF_DIR ?? null,
    hostMode: e.BENCH_HOST,
    diagnoseBare: e.BENCH_DIAGNOSE?.includes('bare') ?? false,
    diagnoseNotify: e.BENCH_DIAGNOSE?.includes('notify') ?? false,
    scenarios: e.BENCH_SCENARIOS ?? SCENARIO_KEYS,
  };
}
