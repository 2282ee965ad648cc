import { setTimeout as sleep } from 'node:timers/promises';
import { type CpuSample, postgresCpuBetween } from './proc-stats';

/** How one request or operation ended. */
export type Outcome = 'ok' | 'unexpected' | 'error';

/** Receives every completed request or operation, with its latency in milliseconds. */
export type OutcomeListener = (latencyMs: number, outcome: Outcome) => void;

/** A closed-loop load: `start` begins it, `stop` ends it and waits for it to settle. */
export interface LoadRunner {
  start(listener: OutcomeListener): void;
  stop(): Promise<void>;
}

/** CPU time spent during a window, in milliseconds, per party. */
export interface CpuUse {
  readonly hostMs: number;
  readonly benchMs: number;
  readonly postgresMs: number;
  /** All cores' busy time, whoever used it (other processes on a shared machine included). */
  readonly machineBusyMs: number;
}

/** What one side (host over HTTP, or the direct baseline) achieved in one measured window. */
export interface Measurement {
  readonly windowMs: number;
  /** Completions with the expected outcome inside the window. */
  readonly ok: number;
  /** Completions with another HTTP status (or a failed baseline query) inside the window. */
  readonly unexpected: number;
  /** Connection errors and timeouts inside the window. */
  readonly errors: number;
  /** Expected completions per second of window. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly cpu: CpuUse;
  /** Expected completions over the whole run, warm-up included (to check rows written). */
  readonly totalOk: number;
}

/** Timing of a measurement: a warm-up that is discarded, then the window that counts. */
export interface Timing {
  readonly warmupMs: number;
  readonly windowMs: number;
}

/** What one warm-up-plus-window run of a load recorded; slices add up into a Measurement. */
export interface Slice {
  readonly windowMs: number;
  readonly latencies: readonly number[];
  readonly ok: number;
  readonly unexpected: number;
  readonly errors: number;
  readonly cpu: CpuUse;
  readonly totalOk: number;
}

/**
 * Runs `load` through a warm-up and a measured window. Only completions that land inside the
 * window count, so the host and the baseline are judged over exactly the same kind of interval,
 * and connection set-up or the drain at the end never enters the figures.
 */
export async function measureSlice(
  load: LoadRunner,
  timing: Timing,
  sample: () => CpuSample,
): Promise<Slice> {
  const latencies: number[] = [];
  const inWindow = { open: false, ok: 0, unexpected: 0, errors: 0 };
  let totalOk = 0;
  load.start((latencyMs, outcome) => {
    if (outcome === 'ok') totalOk += 1;
    if (!inWindow.open) return;
    if (Number.isFinite(latencyMs)) latencies.push(latencyMs);
    if (outcome === 'ok') inWindow.ok += 1;
    else if (outcome === 'unexpected') inWindow.unexpected += 1;
    else inWindow.errors += 1;
  });
  let first: CpuSample;
  let last: CpuSample;
  try {
    await sleep(timing.warmupMs);
    first = sample();
    inWindow.open = true;
    await sleep(timing.windowMs);
    inWindow.open = false;
    last = sample();
  } finally {
    await load.stop();
  }
  return {
    windowMs: last.atMs - first.atMs,
    latencies,
    ok: inWindow.ok,
    unexpected: inWindow.unexpected,
    errors: inWindow.errors,
    cpu: {
      hostMs: last.hostMs - first.hostMs,
      benchMs: last.benchMs - first.benchMs,
      postgresMs: postgresCpuBetween(first, last),
      machineBusyMs: last.machineBusyMs - first.machineBusyMs,
    },
    totalOk,
  };
}

/** Adds slices of the same load up: counts, windows and CPU summed, latencies pooled. */
export function summarise(slices: readonly Slice[]): Measurement {
  const sum = (pick: (slice: Slice) => number): number =>
    slices.reduce((total, slice) => total + pick(slice), 0);
  const windowMs = sum((s) => s.windowMs);
  const ok = sum((s) => s.ok);
  const sorted = Float64Array.from(slices.flatMap((s) => s.latencies)).sort();
  return {
    windowMs,
    ok,
    unexpected: sum((s) => s.unexpected),
    errors: sum((s) => s.errors),
    throughput: (ok * 1000) / windowMs,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN),
    cpu: {
      hostMs: sum((s) => s.cpu.hostMs),
      benchMs: sum((s) => s.cpu.benchMs),
      postgresMs: sum((s) => s.cpu.postgresMs),
      machineBusyMs: sum((s) => s.cpu.machineBusyMs),
    },
    totalOk: sum((s) => s.totalOk),
  };
}

/** The nearest-rank percentile of sorted values (NaN when there are none). */
export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
