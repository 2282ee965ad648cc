import { fullJitterDelay } from './backoff';

/** How a sender retries: attempts in all, and the fully jittered exponential backoff between them. */
export interface RetryOptions {
  /** Attempts in all, the first included (≥ 1). */
  readonly maxAttempts?: number;
  /** Backoff ceiling before the first retry; doubles with each retry up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  /** Highest backoff ceiling. */
  readonly maxDelayMs?: number;
  /** Waits between attempts; injectable so tests need not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Source of jitter in [0, 1); `Math.random` unless given. */
  readonly random?: () => number;
}

/** `maxAttempts` checked: an integer ≥ 1, else a RangeError (a configuration mistake). */
function checkedMaxAttempts(maxAttempts: number): number {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer ≥ 1, got ${maxAttempts}`);
  }
  return maxAttempts;
}

/** A sender's retry settings, every default filled in, and the backoff they give. */
export class RetryBackoff {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  /** @throws RangeError when `maxAttempts` is not an integer ≥ 1. */
  constructor(
    options: RetryOptions,
    defaults: {
      readonly maxAttempts: number;
      readonly baseDelayMs: number;
      readonly maxDelayMs: number;
    },
  ) {
    this.maxAttempts = checkedMaxAttempts(options.maxAttempts ?? defaults.maxAttempts);
    this.baseDelayMs = options.baseDelayMs ?? defaults.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? defaults.maxDelayMs;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /** The fully jittered delay before retry number `retry` (1 for the first); draws once. */
  delayMs(retry: number): number {
    return fullJitterDelay(retry, this.baseDelayMs, this.maxDelayMs, this.random);
  }

  /** Waits `ms` (with the injected sleep, if any). */
  wait(ms: number): Promise<void> {
    return this.sleep(ms);
  }
}
