import { z } from 'zod';

/** A window in seconds, read from the environment. */
export const seconds = (fallback: number) =>
  z.coerce.number().positive().max(120).default(fallback);

/** A comma-separated list of at least `min` names from `values`. */
export const commaList = <const T extends readonly [string, ...string[]]>(values: T, min = 0) =>
  z
    .string()
    .transform((list) => list.split(',').map((name) => name.trim()))
    .pipe(z.array(z.enum(values)).min(min));

/** The knobs every benchmark that starts the host reads. */
const HOST_BENCH_ENV = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  BENCH_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(16),
  BENCH_HOST: z.enum(['tsx', 'bundle']).default('bundle'),
  BENCH_WARMUP_S: seconds(3),
  BENCH_CPU_PROF_DIR: z.string().min(1).optional(),
};

/** The settings every benchmark that starts the host shares. */
export interface HostBenchConfig {
  /** Server to create the run's fresh database on; null: start an embedded PostgreSQL. */
  readonly adminUrl: string | null;
  /** The host's `DATABASE_POOL_SIZE`. */
  readonly poolSize: number;
  /**
   * How the host runs: from source through tsx (`npm start`), or the esbuild bundle that
   * `npx nx build host` writes to dist/apps/host/main.js (built beforehand).
   */
  readonly hostMode: 'tsx' | 'bundle';
  /** Writes or requests before the measured window, which are not counted. */
  readonly warmupMs: number;
  /** When set, the host runs with `--cpu-prof` and writes its profile there on exit. */
  readonly cpuProfileDir: string | null;
}

/**
 * Parses the environment with the shared knobs plus `shape` (unset and empty variables count as
 * absent) and returns its data with the shared settings; a bad value throws, naming every
 * offending variable.
 */
export function parseBenchEnv<S extends z.ZodRawShape>(
  shape: S,
  env: NodeJS.ProcessEnv,
): {
  readonly env: z.infer<z.ZodObject<typeof HOST_BENCH_ENV & S>>;
  readonly host: HostBenchConfig;
} {
  const defined = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = z.object({ ...HOST_BENCH_ENV, ...shape }).safeParse(defined);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid benchmark configuration: ${issues.join('; ')}`);
  }
  // The shared knobs again, on their own: they passed above, and this types them.
  const e = z.object(HOST_BENCH_ENV).parse(defined);
  return {
    env: parsed.data,
    host: {
      adminUrl: e.DATABASE_URL ?? null,
      poolSize: e.BENCH_POOL_SIZE,
      hostMode: e.BENCH_HOST,
      warmupMs: e.BENCH_WARMUP_S * 1000,
      cpuProfileDir: e.BENCH_CPU_PROF_DIR ?? null,
    },
  };
}
