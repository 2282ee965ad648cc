import { existsSync } from 'node:fs';
import { z } from 'zod';
import { type HostBenchConfig, parseBenchEnv, seconds } from './bench-env';

const ENV_SHAPE = {
  BENCH_WEB_TASKS: z.coerce.number().int().min(100).max(20_000).default(1_000),
  BENCH_WEB_ROUNDS: z.coerce.number().int().min(1).max(15).default(5),
  BENCH_WEB_EVENT_RATE: z.coerce.number().int().min(1).max(500).default(50),
  BENCH_WEB_LIVE_S: seconds(10),
  CHROMIUM_PATH: z.string().min(1).optional(),
};

/** How one run of `npm run bench:web` is set up; the report names every setting. */
export interface WebBenchConfig extends HostBenchConfig {
  /** Tasks on the board. */
  readonly tasks: number;
  /** Times the first screen is measured (the median is judged). */
  readonly rounds: number;
  /** Tasks created per second by someone else while the frames are counted. */
  readonly eventRate: number;
  readonly liveSeconds: number;
  readonly browserPath: string;
}

const BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Reads the benchmark's knobs from the environment (the only place the tool reads it). */
export function loadBenchEnv(env: NodeJS.ProcessEnv = process.env): WebBenchConfig {
  const { env: e, host } = parseBenchEnv(ENV_SHAPE, env);
  const browserPath = e.CHROMIUM_PATH ?? BROWSERS.find((path) => existsSync(path));
  if (browserPath === undefined)
    throw new Error('no Chromium found: install Debian’s `chromium`, or set CHROMIUM_PATH');
  return {
    ...host,
    tasks: e.BENCH_WEB_TASKS,
    rounds: e.BENCH_WEB_ROUNDS,
    eventRate: e.BENCH_WEB_EVENT_RATE,
    liveSeconds: e.BENCH_WEB_LIVE_S,
    browserPath,
  };
}
