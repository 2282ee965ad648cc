import type { Availability } from './wait';

/** Consecutive failures tolerated while the host is meant to be up (a blip, not a bug). */
const MAX_UNEXPECTED_FAILURES = 5;

/** What an {@link IdempotentClient} did, for the figures a test prints. */
export interface ClientStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** Requests that got no answer (connection refused or cut by a crash). */
  networkFailures: number;
  /** Answers marked `Idempotent-Replayed`: the first attempt's effect had happened already. */
  replayed: number;
}

/** A 2xx answer: the parsed body, and whether the host replayed a stored answer. */
export interface IdempotentAnswer {
  readonly body: Record<string, unknown>;
  readonly replayed: boolean;
}

/**
 * Sends POSTs as a careful client does: each with an Idempotency-Key, sent again with the same
 * key and body until answered, waiting out declared outages. A request cut by a crash may or may
 * not have committed; the key makes resending it safe.
 */
export class IdempotentClient {
  readonly stats: ClientStats = { requests: 0, networkFailures: 0, replayed: 0 };

  constructor(
    private readonly baseUrl: () => string,
    private readonly token: string,
    private readonly availability: Availability,
  ) {}

  /**
   * POSTs `body` to `path` under `key` until a 2xx answer, and resolves with it.
   *
   * @throws Error on any other answer, or when requests keep failing while the host is up.
   */
  async post(path: string, body: unknown, key: string): Promise<IdempotentAnswer> {
    let unexpected = 0;
    for (;;) {
      await this.availability.whenUp();
      const outageBefore = this.availability.isDown();
      this.stats.requests += 1;
      let status: number;
      let text: string;
      let replayed: boolean;
      try {
        const response = await fetch(`${this.baseUrl()}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.token}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body),
        });
        status = response.status;
        replayed = response.headers.get('idempotent-replayed') === 'true';
        text = await response.text();
      } catch (error) {
        this.stats.networkFailures += 1;
        // Failures during a declared outage are the point of the test; others are tolerated a
        // few times (a pooled connection the previous host left behind), then reported.
        if (!outageBefore && !this.availability.isDown()) {
          unexpected += 1;
          if (unexpected > MAX_UNEXPECTED_FAILURES) throw error;
        }
        continue;
      }
      if (status === 409 && text.includes('IDEMPOTENCY_IN_FLIGHT')) continue;
      if (status < 200 || status >= 300) {
        throw new Error(`POST ${path} (${key}) answered ${status}: ${text}`);
      }
      if (replayed) this.stats.replayed += 1;
      return { body: JSON.parse(text) as Record<string, unknown>, replayed };
    }
  }
}

/**
 * Runs `task(0)`…`task(count - 1)` with at most `concurrency` at a time, in index order.
 * After a failure no new task starts; rejects with the first failure once the running ones end.
 */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      const index = next;
      next += 1;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(concurrency, count) }, worker),
  );
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}
