/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** Names what is awaited, for the timeout's message. */
  readonly what: string;
  /** Give up after this long; generous by default, since CI machines are slow and shared. */
  readonly timeoutMs?: number;
  /** Pause between probes. */
  readonly intervalMs?: number;
}

/**
 * Probes until `done(value)` holds and returns that value. This waits on a condition, never for
 * a guessed duration: a fast machine returns at once, a slow one gets up to `timeoutMs`.
 *
 * @throws Error naming `what` and the last value probed when the condition never held.
 */
export async function waitUntil<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  const { what, timeoutMs = 60_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(value)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Like {@link waitUntil}, but reports a condition that never held instead of throwing: for a
 * scenario that must run to its end so that each property is then checked (and reported) on its
 * own.
 *
 * @returns the last value probed, and whether the condition held.
 */
export async function settle<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  options: WaitOptions,
): Promise<{ readonly value: T; readonly met: boolean }> {
  const { timeoutMs = 60_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return { value, met: true };
    if (Date.now() > deadline) return { value, met: false };
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A promise with its settle functions, for conditions signalled from callbacks. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Creates a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Whether the system under test is reachable. A client that fails while an outage is declared
 * waits for its end and tries again, as a real client retrying with the same idempotency key
 * would; the test declares the outage before killing anything, so no failure is misread.
 */
export class Availability {
  private current: Deferred<undefined> | null = null;

  /** True while an outage is declared (a method: it changes across every await). */
  isDown(): boolean {
    return this.current !== null;
  }

  /** Declares an outage: from now on, {@link whenUp} waits for {@link restored}. */
  outage(): void {
    this.current ??= deferred<undefined>();
  }

  /** Ends the outage; everyone waiting in {@link whenUp} goes on. */
  restored(): void {
    this.current?.resolve(undefined);
    this.current = null;
  }

  /** Resolves at once when up, else when the outage ends. */
  async whenUp(): Promise<void> {
    await this.current?.promise;
  }
}
